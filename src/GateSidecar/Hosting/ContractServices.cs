using GateSidecar.Approvals;
using GateSidecar.Approvers;
using GateSidecar.Transport;
using GateSidecar.Transport.Services;

namespace GateSidecar.Hosting;

/// <summary>Maps the contract services (<c>gate.v1.Gate</c>, <c>Approvals</c>, <c>Audit</c>) to their handlers.</summary>
internal static class ContractServices
{
    public static void Map(GrpcServiceRegistry registry, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var approvals = services.GetService<ApprovalService>();
        if (approvals is null)
        {
            // A bare transport host (as in transport tests) serves health and reflection; the
            // contract methods answer UNIMPLEMENTED naming what is missing.
            registry.AddUnimplemented(Gate.V1.GateReflection.Descriptor.Services[0], "policy checks and approval streams");
            registry.AddUnimplemented(Gate.V1.ApprovalsReflection.Descriptor.Services[0], "approver decisions");
            registry.AddUnimplemented(Gate.V1.AuditReflection.Descriptor.Services[0], "the audit trail");
            return;
        }

        new GateServiceHandlers(approvals).Map(registry);
        new ApprovalsServiceHandlers(services.GetRequiredService<ApproverDesk>(), services.GetRequiredService<ChangeFeed>()).Map(registry);
        new AuditServiceHandlers(services.GetRequiredService<IApprovalStore>(), services.GetRequiredService<Tokens.SigningKeyRing>()).Map(registry);
    }
}
