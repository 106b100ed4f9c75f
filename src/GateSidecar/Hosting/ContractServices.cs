using Gate.V1;
using GateSidecar.Transport;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace GateSidecar.Hosting;

/// <summary>Maps the contract services (<c>gate.v1.Gate</c>, <c>Approvals</c>, <c>Audit</c>) to their handlers.</summary>
internal static class ContractServices
{
    public static void Map(GrpcServiceRegistry registry, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        registry.AddUnimplemented(Service(GateReflection.Descriptor.Services, "gate.v1.Gate"), "policy checks and approval streams");
        registry.AddUnimplemented(Service(ApprovalsReflection.Descriptor.Services, "gate.v1.Approvals"), "approver decisions");
        registry.AddUnimplemented(Service(AuditReflection.Descriptor.Services, "gate.v1.Audit"), "the audit trail");
    }

    private static ServiceDescriptor Service(IList<ServiceDescriptor> services, string fullName)
    {
        foreach (var service in services)
        {
            if (service.FullName == fullName)
            {
                return service;
            }
        }

        throw new InvalidOperationException($"{fullName} is missing from the generated descriptors");
    }
}
