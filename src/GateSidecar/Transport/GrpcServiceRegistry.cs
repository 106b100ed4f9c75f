using Google.Protobuf;
using Google.Protobuf.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace GateSidecar.Transport;

/// <summary>
/// The gRPC methods this server answers, registered at start-up from the generated descriptors.
/// Routes are fixed once the host is built (<see cref="Build"/>); registering afterwards throws.
/// </summary>
/// <remarks>
/// A method registered with a handler takes precedence over the placeholder that
/// <see cref="AddUnimplemented"/> gave it, whatever the order of the calls.
/// </remarks>
internal sealed class GrpcServiceRegistry
{
    private readonly GrpcServerRuntime _runtime;
    private readonly Dictionary<string, GrpcMethodHandler> _handlers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GrpcMethodHandler> _placeholders = new(StringComparer.Ordinal);
    private readonly List<ServiceDescriptor> _services = [];
    private GrpcDispatcher? _dispatcher;

    public GrpcServiceRegistry(GrpcServerRuntime runtime)
    {
        _runtime = runtime;
    }

    /// <summary>Every service with at least one registered method (placeholders included), for reflection.</summary>
    public IReadOnlyList<ServiceDescriptor> Services => _services;

    public void AddUnary<TRequest, TResponse>(MethodDescriptor method, Func<TRequest, ServerCallContext, ValueTask<TResponse>> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(handler);
        var path = Validate<TRequest, TResponse>(method, clientStreaming: false, serverStreaming: false, nameof(AddUnary));
        Add(method, new UnaryMethodHandler<TRequest, TResponse>(path, method.InputType.FullName, handler, _runtime));
    }

    public void AddServerStreaming<TRequest, TResponse>(MethodDescriptor method, Func<TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(handler);
        var path = Validate<TRequest, TResponse>(method, clientStreaming: false, serverStreaming: true, nameof(AddServerStreaming));
        Add(method, new ServerStreamingMethodHandler<TRequest, TResponse>(path, method.InputType.FullName, handler, _runtime));
    }

    public void AddDuplex<TRequest, TResponse>(MethodDescriptor method, Func<IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(handler);
        var path = Validate<TRequest, TResponse>(method, clientStreaming: true, serverStreaming: true, nameof(AddDuplex));
        Add(method, new DuplexMethodHandler<TRequest, TResponse>(path, method.InputType.FullName, handler, _runtime));
    }

    /// <summary>
    /// Every method of <paramref name="service"/> not registered otherwise answers UNIMPLEMENTED
    /// "&lt;method&gt; is not available yet: &lt;capability&gt;".
    /// </summary>
    public void AddUnimplemented(ServiceDescriptor service, string capability)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentException.ThrowIfNullOrWhiteSpace(capability);
        EnsureOpen();
        foreach (var method in service.Methods)
        {
            var path = PathOf(method);
            _placeholders[path] = new UnimplementedMethodHandler(path, $"{path} is not available yet: {capability}", _runtime);
        }

        AddService(service);
    }

    /// <summary>Fixes the routes. Called once by the host after every registration.</summary>
    internal GrpcDispatcher Build()
    {
        if (_dispatcher is not null)
        {
            return _dispatcher;
        }

        var routes = new Dictionary<string, GrpcMethodHandler>(_placeholders, StringComparer.Ordinal);
        foreach (var (path, handler) in _handlers)
        {
            routes[path] = handler;
        }

        var serviceNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var service in _services)
        {
            serviceNames.Add(service.FullName);
        }

        _dispatcher = new GrpcDispatcher(routes, serviceNames, _runtime);
        return _dispatcher;
    }

    internal static string PathOf(MethodDescriptor method) => $"/{method.Service.FullName}/{method.Name}";

    private void Add(MethodDescriptor method, GrpcMethodHandler handler)
    {
        EnsureOpen();
        if (!_handlers.TryAdd(handler.Path, handler))
        {
            throw new InvalidOperationException($"{handler.Path} already has a handler; register each method once");
        }

        AddService(method.Service);
    }

    private void AddService(ServiceDescriptor service)
    {
        foreach (var known in _services)
        {
            if (known.FullName == service.FullName)
            {
                return;
            }
        }

        _services.Add(service);
    }

    private void EnsureOpen()
    {
        if (_dispatcher is not null)
        {
            throw new InvalidOperationException("gRPC routes are fixed once the host is built; register methods in GateHost.Build's configureApp");
        }
    }

    private static string Validate<TRequest, TResponse>(MethodDescriptor method, bool clientStreaming, bool serverStreaming, string registration)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (method.IsClientStreaming != clientStreaming || method.IsServerStreaming != serverStreaming)
        {
            var shape = (method.IsClientStreaming, method.IsServerStreaming) switch
            {
                (false, false) => "a unary method: use AddUnary",
                (false, true) => "a server-streaming method: use AddServerStreaming",
                (true, true) => "a bidirectional-streaming method: use AddDuplex",
                _ => "a client-streaming method, which this server does not support",
            };
            throw new ArgumentException($"{method.FullName} is {shape} (not {registration})", nameof(method));
        }

        if (method.InputType.ClrType != typeof(TRequest))
        {
            throw new ArgumentException($"{method.FullName} takes {method.InputType.FullName}, not {typeof(TRequest).FullName}", nameof(method));
        }

        if (method.OutputType.ClrType != typeof(TResponse))
        {
            throw new ArgumentException($"{method.FullName} returns {method.OutputType.FullName}, not {typeof(TResponse).FullName}", nameof(method));
        }

        return PathOf(method);
    }
}
