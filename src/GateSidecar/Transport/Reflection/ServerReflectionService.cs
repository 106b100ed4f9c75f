using Gate.Client;
using Google.Protobuf;
using Grpc.Reflection.V1;
using V1Alpha = Grpc.Reflection.V1Alpha;

namespace GateSidecar.Transport.Reflection;

/// <summary>
/// <c>grpc.reflection.v1.ServerReflection</c> and its <c>v1alpha</c> twin, so grpcurl, grpcui and
/// Postman work without the proto files. Both versions share one wire format; v1alpha messages are
/// re-read as v1 and answered by the same code.
/// </summary>
internal sealed class ServerReflectionService
{
    private readonly GrpcServiceRegistry _registry;
    private ReflectionIndex? _index;

    public ServerReflectionService(GrpcServiceRegistry registry)
    {
        _registry = registry;
    }

    // Built on first use, when every service has been registered.
    private ReflectionIndex Index => _index ??= new ReflectionIndex(_registry.Services);

    public static void Map(GrpcServiceRegistry registry, ServerReflectionService service)
    {
        registry.AddDuplex<ServerReflectionRequest, ServerReflectionResponse>(
            ReflectionReflection.Descriptor.Services[0].Methods[0], service.InfoAsync);
        registry.AddDuplex<V1Alpha.ServerReflectionRequest, V1Alpha.ServerReflectionResponse>(
            V1Alpha.ReflectionReflection.Descriptor.Services[0].Methods[0], service.InfoV1AlphaAsync);
    }

    public async Task InfoAsync(IAsyncStreamReader<ServerReflectionRequest> requests, IServerStreamWriter<ServerReflectionResponse> responses, ServerCallContext context)
    {
        while (await requests.MoveNextAsync(context.CancellationToken).ConfigureAwait(false))
        {
            await responses.WriteAsync(Answer(requests.Current), context.CancellationToken).ConfigureAwait(false);
        }
    }

    public async Task InfoV1AlphaAsync(IAsyncStreamReader<V1Alpha.ServerReflectionRequest> requests, IServerStreamWriter<V1Alpha.ServerReflectionResponse> responses, ServerCallContext context)
    {
        while (await requests.MoveNextAsync(context.CancellationToken).ConfigureAwait(false))
        {
            var request = ServerReflectionRequest.Parser.ParseFrom(requests.Current.ToByteString());
            var answer = V1Alpha.ServerReflectionResponse.Parser.ParseFrom(Answer(request).ToByteString());
            await responses.WriteAsync(answer, context.CancellationToken).ConfigureAwait(false);
        }
    }

    public ServerReflectionResponse Answer(ServerReflectionRequest request)
    {
        var response = new ServerReflectionResponse { ValidHost = request.Host, OriginalRequest = request };
        var index = Index;
        switch (request.MessageRequestCase)
        {
            case ServerReflectionRequest.MessageRequestOneofCase.ListServices:
                var list = new ListServiceResponse();
                foreach (var name in index.ServiceNames)
                {
                    list.Service.Add(new ServiceResponse { Name = name });
                }

                response.ListServicesResponse = list;
                break;

            case ServerReflectionRequest.MessageRequestOneofCase.FileByFilename:
                if (index.TryFindFile(request.FileByFilename, out var file))
                {
                    response.FileDescriptorResponse = Files(file);
                }
                else
                {
                    response.ErrorResponse = Error(StatusCode.NotFound, $"file '{request.FileByFilename}' is not among the files of the served services");
                }

                break;

            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingSymbol:
                if (index.TryFindSymbol(request.FileContainingSymbol, out var declaring))
                {
                    response.FileDescriptorResponse = Files(declaring);
                }
                else
                {
                    response.ErrorResponse = Error(StatusCode.NotFound, $"symbol '{request.FileContainingSymbol}' is not a service, method, message or enum of the served services");
                }

                break;

            case ServerReflectionRequest.MessageRequestOneofCase.AllExtensionNumbersOfType:
                if (index.IsMessageType(request.AllExtensionNumbersOfType))
                {
                    // proto3 messages declare no extension ranges: the list is empty.
                    response.AllExtensionNumbersResponse = new ExtensionNumberResponse { BaseTypeName = request.AllExtensionNumbersOfType.TrimStart('.') };
                }
                else
                {
                    response.ErrorResponse = Error(StatusCode.NotFound, $"type '{request.AllExtensionNumbersOfType}' is not a message of the served services");
                }

                break;

            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingExtension:
                var extension = request.FileContainingExtension;
                response.ErrorResponse = Error(StatusCode.NotFound, $"no extension {extension.ExtensionNumber} of '{extension.ContainingType}': the served protos declare no extensions");
                break;

            default:
                response.ErrorResponse = Error(StatusCode.InvalidArgument, "the request asks nothing: set one of list_services, file_by_filename, file_containing_symbol, file_containing_extension, all_extension_numbers_of_type");
                break;
        }

        return response;
    }

    private static FileDescriptorResponse Files(Google.Protobuf.Reflection.FileDescriptor file)
    {
        var files = new FileDescriptorResponse();
        files.FileDescriptorProto.AddRange(ReflectionIndex.WithDependencies(file));
        return files;
    }

    private static ErrorResponse Error(StatusCode code, string message) => new() { ErrorCode = (int)code, ErrorMessage = message };
}
