using System.Collections.Frozen;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace GateSidecar.Transport.Reflection;

/// <summary>
/// The descriptors behind the served services, indexed once: service names, files by name (with
/// every transitive dependency, well-known types included) and the file declaring each symbol.
/// </summary>
internal sealed class ReflectionIndex
{
    private readonly FrozenDictionary<string, FileDescriptor> _filesByName;
    private readonly FrozenDictionary<string, FileDescriptor> _filesBySymbol;
    private readonly FrozenSet<string> _messageTypes;

    public ReflectionIndex(IEnumerable<ServiceDescriptor> services)
    {
        var serviceNames = new SortedSet<string>(StringComparer.Ordinal);
        var files = new Dictionary<string, FileDescriptor>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            serviceNames.Add(service.FullName);
            AddWithDependencies(service.File, files);
        }

        var symbols = new Dictionary<string, FileDescriptor>(StringComparer.Ordinal);
        var messageTypes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files.Values)
        {
            foreach (var service in file.Services)
            {
                symbols[service.FullName] = file;
                foreach (var method in service.Methods)
                {
                    symbols[method.FullName] = file;
                }
            }

            foreach (var message in file.MessageTypes)
            {
                AddMessage(message, file, symbols, messageTypes);
            }

            foreach (var enumType in file.EnumTypes)
            {
                symbols[enumType.FullName] = file;
            }
        }

        ServiceNames = [.. serviceNames];
        _filesByName = files.ToFrozenDictionary(StringComparer.Ordinal);
        _filesBySymbol = symbols.ToFrozenDictionary(StringComparer.Ordinal);
        _messageTypes = messageTypes.ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>Fully qualified names of the served services, sorted.</summary>
    public IReadOnlyList<string> ServiceNames { get; }

    public bool TryFindFile(string fileName, out FileDescriptor file) => _filesByName.TryGetValue(fileName, out file!);

    /// <summary>The file declaring a service, method, message or enum (a leading '.' is allowed).</summary>
    public bool TryFindSymbol(string symbol, out FileDescriptor file) =>
        _filesBySymbol.TryGetValue(symbol.StartsWith('.') ? symbol[1..] : symbol, out file!);

    public bool IsMessageType(string name) => _messageTypes.Contains(name.StartsWith('.') ? name[1..] : name);

    /// <summary>The serialized file first, then each transitive dependency once.</summary>
    public static IReadOnlyList<ByteString> WithDependencies(FileDescriptor file)
    {
        var ordered = new Dictionary<string, FileDescriptor>(StringComparer.Ordinal);
        AddWithDependencies(file, ordered);
        var result = new List<ByteString>(ordered.Count);
        foreach (var entry in ordered.Values)
        {
            result.Add(entry.SerializedData);
        }

        return result;
    }

    private static void AddWithDependencies(FileDescriptor file, Dictionary<string, FileDescriptor> files)
    {
        if (!files.TryAdd(file.Name, file))
        {
            return;
        }

        foreach (var dependency in file.Dependencies)
        {
            AddWithDependencies(dependency, files);
        }
    }

    private static void AddMessage(MessageDescriptor message, FileDescriptor file, Dictionary<string, FileDescriptor> symbols, HashSet<string> messageTypes)
    {
        symbols[message.FullName] = file;
        messageTypes.Add(message.FullName);
        foreach (var nested in message.NestedTypes)
        {
            AddMessage(nested, file, symbols, messageTypes);
        }

        foreach (var enumType in message.EnumTypes)
        {
            symbols[enumType.FullName] = file;
        }
    }
}
