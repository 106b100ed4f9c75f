using System.Text.Json;
using Gate.V1;
using GateSidecar.Approvals;

namespace GateSidecar.Approvers.Http;

/// <summary>
/// The body of <c>POST /webhooks/decision</c>:
/// <c>{"approval_id", "approver", "verdict", "reason", "edited_arguments"}</c> (lowerCamelCase also accepted;
/// the verdict with or without its <c>DECISION_VERDICT_</c> prefix). Anything else is refused.
/// </summary>
internal static class WebhookDecisionBody
{
    private static readonly string[] Allowed = ["approval_id", "approver", "verdict", "reason", "edited_arguments"];

    public static Result<(string Approver, DecideRequest Request)> Parse(ReadOnlyMemory<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            return ApprovalError.Invalid($"the body is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return ApprovalError.Invalid("the body must be a JSON object: {\"approval_id\", \"approver\", \"verdict\", \"reason\", \"edited_arguments\"}");
            }

            string? approvalId = null, approver = null, verdict = null, reason = null;
            JsonElement? edited = null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var name = property.Name switch
                {
                    "approvalId" => "approval_id",
                    "editedArguments" => "edited_arguments",
                    var other => other,
                };
                if (name == "edited_arguments")
                {
                    if (property.Value.ValueKind != JsonValueKind.Null)
                    {
                        edited = property.Value.Clone();
                    }

                    continue;
                }

                if (Array.IndexOf(Allowed, name) < 0)
                {
                    return ApprovalError.Invalid($"unknown field '{property.Name}' (allowed: {string.Join(", ", Allowed)})");
                }

                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    return ApprovalError.Invalid($"'{name}' must be a string");
                }

                var value = property.Value.GetString();
                switch (name)
                {
                    case "approval_id":
                        approvalId = value;
                        break;
                    case "approver":
                        approver = value;
                        break;
                    case "verdict":
                        verdict = value;
                        break;
                    default:
                        reason = value;
                        break;
                }
            }

            if (string.IsNullOrWhiteSpace(approvalId) || string.IsNullOrWhiteSpace(approver) || string.IsNullOrWhiteSpace(verdict))
            {
                var missing = new[] { ("approval_id", approvalId), ("approver", approver), ("verdict", verdict) }.Where(f => string.IsNullOrWhiteSpace(f.Item2)).Select(f => f.Item1);
                return ApprovalError.Invalid($"missing {string.Join(", ", missing)}: the body needs approval_id, approver and verdict");
            }

            var verdictType = DecideRequest.Descriptor.FindFieldByName("verdict").EnumType;
            var found = ProtoJson.FindEnumValue(verdictType, verdict);
            if (found is null || found.Number == 0)
            {
                return ApprovalError.Invalid($"verdict '{verdict}' is not one of {ProtoJson.ShortNames(verdictType)}");
            }

            var request = new DecideRequest { ApprovalId = approvalId, Verdict = (DecisionVerdict)found.Number, Reason = reason ?? string.Empty };
            if (edited is { } editedJson)
            {
                var args = ProtoJson.ParseStruct(editedJson, "edited_arguments");
                if (!args.Ok)
                {
                    return args.Error!;
                }

                request.EditedArguments = args.Value;
            }

            return (approver, request);
        }
    }
}
