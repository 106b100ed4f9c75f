using System.CommandLine;
using Gate.Client;
using Gate.V1;
using GateCtl.Output;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace GateCtl.Commands;

/// <summary>
/// The approver's commands: <c>gatectl pending | show ID | approve ID | reject ID --reason R |
/// escalate ID --reason R | edit ID --args FILE | watch ID</c>. Decisions go through the gRPC
/// <c>Approvals</c> service (<c>--server</c>), one approval is read through the HTTP API (<c>--api</c>); the
/// token comes from <c>GATE_TOKEN</c>. Tables for people, <c>--json</c> for scripts; every refusal prints
/// the server's message and exits 1.
/// </summary>
internal static class ApproverCommands
{
    public static IReadOnlyList<Command> Build(Func<string, string?>? environment = null, TimeProvider? time = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        time ??= TimeProvider.System;
        return
        [
            Pending(environment, time),
            Show(environment, time),
            Decide("approve", "Approve a pending call as proposed.", DecisionVerdict.Approve, reasonRequired: false, environment, time),
            Decide("reject", "Reject a pending call (a reason is required).", DecisionVerdict.Reject, reasonRequired: true, environment, time),
            Decide("escalate", "Move a pending call to the next pool of its escalation ladder (a reason is required).", DecisionVerdict.Escalate, reasonRequired: true, environment, time),
            Edit(environment, time),
            Watch(environment, time),
        ];
    }

    private static Argument<string> IdArgument() => new("ID") { Description = "The approval id (from 'gatectl pending')." };

    private static Command Pending(Func<string, string?> environment, TimeProvider time)
    {
        var options = new ApproverOptions();
        var pool = new Option<string?>("--pool") { Description = "Only this pool (one of yours)." };
        var command = new Command("pending", "List the calls waiting for your decision, in your pools.") { pool };
        options.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(parse, options, environment, time, async session =>
        {
            var all = new List<Approval>();
            var token = string.Empty;
            do
            {
                var page = await session.Approvals.ListPendingAsync(new ListPendingRequest { Pool = parse.GetValue(pool) ?? string.Empty, PageSize = 500, PageToken = token }, new CallOptions(cancellationToken: cancellationToken)).ConfigureAwait(false);
                all.AddRange(page.Approvals);
                token = page.NextPageToken;
            }
            while (token.Length > 0);

            if (session.JsonOutput)
            {
                var response = new ListPendingResponse();
                response.Approvals.AddRange(all);
                session.Output.WriteLine(ApproverSession.Json.Format(response));
            }
            else
            {
                ApproverViews.WritePending(ConsoleFactory.Create(session.Output), all, time.GetUtcNow());
            }

            return 0;
        }));
        return command;
    }

    private static Command Show(Func<string, string?> environment, TimeProvider time)
    {
        var options = new ApproverOptions();
        var id = IdArgument();
        var command = new Command("show", "Show one approval: the call, why it was stopped, its impact, diff and decisions.") { id };
        options.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(parse, options, environment, time, async session =>
        {
            var approval = await session.GetAsync(parse.GetRequiredValue(id), cancellationToken).ConfigureAwait(false);
            if (session.JsonOutput)
            {
                session.Output.WriteLine(ApproverSession.Json.Format(approval));
            }
            else
            {
                ApproverViews.WriteApproval(ConsoleFactory.Create(session.Output), approval, time.GetUtcNow());
            }

            return 0;
        }));
        return command;
    }

    private static Command Decide(string name, string description, DecisionVerdict verdict, bool reasonRequired, Func<string, string?> environment, TimeProvider time)
    {
        var options = new ApproverOptions();
        var id = IdArgument();
        var reason = new Option<string?>("--reason")
        {
            Description = reasonRequired ? "Why (required; the agent and the audit trail keep it)." : "Why (optional).",
            Required = reasonRequired,
        };
        var command = new Command(name, description) { id, reason };
        options.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(parse, options, environment, time, session =>
            DecideAsync(session, new DecideRequest { ApprovalId = parse.GetRequiredValue(id), Verdict = verdict, Reason = parse.GetValue(reason) ?? string.Empty }, PastTense(verdict), cancellationToken)));
        return command;
    }

    private static Command Edit(Func<string, string?> environment, TimeProvider time)
    {
        var options = new ApproverOptions();
        var id = IdArgument();
        var args = new Option<FileInfo>("--args")
        {
            Description = "A JSON file with the full arguments to execute instead (\"***\" keeps a redacted value).",
            Required = true,
        };
        var reason = new Option<string?>("--reason") { Description = "Why the edit (optional)." };
        var command = new Command("edit", "Approve an edited version of a pending call.") { id, args, reason };
        options.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(parse, options, environment, time, async session =>
        {
            var file = parse.GetRequiredValue(args);
            Struct edited;
            try
            {
                edited = JsonParser.Default.Parse<Struct>(await File.ReadAllTextAsync(file.FullName, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidProtocolBufferException or InvalidJsonException)
            {
                session.Error.WriteLine($"error: --args {file.FullName}: not a readable JSON object: {ex.Message}");
                return 1;
            }

            var request = new DecideRequest { ApprovalId = parse.GetRequiredValue(id), Verdict = DecisionVerdict.EditAndApprove, Reason = parse.GetValue(reason) ?? string.Empty, EditedArguments = edited };
            return await DecideAsync(session, request, "edited and approved", cancellationToken).ConfigureAwait(false);
        }));
        return command;
    }

    private static Command Watch(Func<string, string?> environment, TimeProvider time)
    {
        var options = new ApproverOptions();
        var id = IdArgument();
        var interval = new Option<TimeSpan>("--interval") { Description = "How often to look (default 00:00:01).", DefaultValueFactory = _ => TimeSpan.FromSeconds(1) };
        var command = new Command("watch", "Follow one approval until it is decided, expires or is cancelled.") { id, interval };
        options.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(parse, options, environment, time, async session =>
        {
            var every = parse.GetValue(interval);
            if (every <= TimeSpan.Zero)
            {
                session.Error.WriteLine("error: --interval must be positive, e.g. 00:00:02");
                return 1;
            }

            // Polls the approver's view: it stays correct whatever pool the approval moves to, as long as
            // the approver may still see it (Gate.Watch is for the agent's own host only).
            long seen = -1;
            while (true)
            {
                var approval = await session.GetAsync(parse.GetRequiredValue(id), cancellationToken).ConfigureAwait(false);
                if (approval.Seq != seen)
                {
                    seen = approval.Seq;
                    session.Output.WriteLine(session.JsonOutput ? ApproverSession.Json.Format(approval) : ApproverViews.Change(approval, time.GetUtcNow()));
                    session.Output.Flush();
                }

                if (approval.State is not (ApprovalState.Pending or ApprovalState.Escalated))
                {
                    return 0;
                }

                await Task.Delay(every, time, cancellationToken).ConfigureAwait(false);
            }
        }));
        return command;
    }

    private static async Task<int> DecideAsync(ApproverSession session, DecideRequest request, string verb, CancellationToken cancellationToken)
    {
        var approval = await session.Approvals.DecideAsync(request, new CallOptions(cancellationToken: cancellationToken)).ConfigureAwait(false);
        session.Output.WriteLine(session.JsonOutput ? ApproverSession.Json.Format(approval) : ApproverViews.Decided(verb, approval));
        return 0;
    }

    private static string PastTense(DecisionVerdict verdict) => verdict switch
    {
        DecisionVerdict.Approve => "approved",
        DecisionVerdict.Reject => "rejected",
        DecisionVerdict.Escalate => "escalated",
        _ => "decided",
    };

    private static async Task<int> RunAsync(ParseResult parse, ApproverOptions options, Func<string, string?> environment, TimeProvider time, Func<ApproverSession, Task<int>> body)
    {
        using var session = ApproverSession.Open(parse, options, environment, time);
        if (session is null)
        {
            return 1;
        }

        try
        {
            return await body(session).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RpcException or ApiCallException or HttpRequestException or TaskCanceledException or InvalidProtocolBufferException)
        {
            return session.Fail(ex);
        }
    }
}
