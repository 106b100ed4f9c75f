using Gate.V1;

namespace GateSidecar.Approvals;

/// <summary>Rejects malformed Check requests with a message that says what to fix.</summary>
internal static class CheckValidator
{
    public const int MaxIdLength = 256;

    public static ApprovalError? Validate(CheckRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.CallId))
        {
            return ApprovalError.Invalid("call_id is required: pass the agent's idempotency key for this tool call (e.g. the LLM's tool-call id)");
        }

        if (request.CallId.Length > MaxIdLength)
        {
            return ApprovalError.Invalid($"call_id is {request.CallId.Length} characters long; the limit is {MaxIdLength}");
        }

        if (string.IsNullOrWhiteSpace(request.Tool))
        {
            return ApprovalError.Invalid("tool is required: name the tool being called, e.g. 'payments.refund'");
        }

        if (request.Tool.Length > MaxIdLength)
        {
            return ApprovalError.Invalid($"tool is {request.Tool.Length} characters long; the limit is {MaxIdLength}");
        }

        if (request.Agent is { Tenant.Length: > MaxIdLength })
        {
            return ApprovalError.Invalid($"agent.tenant is longer than {MaxIdLength} characters");
        }

        if (request.Context is { HasConfidence: true } context
            && (double.IsNaN(context.Confidence) || context.Confidence < 0 || context.Confidence > 1))
        {
            return ApprovalError.Invalid($"context.confidence must be within [0,1] (got {context.Confidence}); leave it unset when unknown");
        }

        return null;
    }
}
