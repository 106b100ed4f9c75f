namespace GateSidecar.Tokens;

/// <summary>What a token binds: the approval, the call's identity and the hash of the arguments that may execute.</summary>
/// <param name="ApprovalId">Becomes <c>sub</c>.</param>
/// <param name="Tool">Becomes <c>tool</c>.</param>
/// <param name="Tenant">Becomes <c>tenant</c>.</param>
/// <param name="AgentId">Becomes <c>agent</c>.</param>
/// <param name="Rule">Becomes <c>rule</c>; empty for the policy's default.</param>
/// <param name="PolicyVersion">Becomes <c>policy_version</c>.</param>
/// <param name="ArgsSha256">Becomes <c>args_sha256</c>: <see cref="Gate.Client.Evidence.ArgsHash.Compute(Google.Protobuf.WellKnownTypes.Struct?)"/> of the final arguments.</param>
internal readonly record struct TokenClaimsInput(
    string ApprovalId,
    string Tool,
    string Tenant,
    string AgentId,
    string Rule,
    string PolicyVersion,
    string ArgsSha256);
