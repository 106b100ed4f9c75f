using System.Buffers.Binary;
using System.CommandLine;
using Gate.LoadTests.Scenarios;
using Google.Protobuf;
using Grpc.Health.V1;

namespace Gate.LoadTests.Cli;

/// <summary>
/// <c>gate-load frame check|health --out FILE</c>: one gRPC-framed request message (flag byte,
/// big-endian length, protobuf) to give h2load as the request body (<c>-d FILE</c>).
/// </summary>
internal static class FrameCommand
{
    public static Command Build(TextWriter output)
    {
        var kind = new Argument<string>("kind") { Description = "check (a fast-path gate.v1.CheckRequest) or health (grpc.health.v1.HealthCheckRequest)" };
        kind.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (value is not ("check" or "health"))
            {
                result.AddError($"unknown frame '{value}': use check or health");
            }
        });
        var file = new Option<FileInfo>("--out") { Description = "file to write", Required = true };
        var command = new Command("frame", "Write one framed gRPC request for h2load's -d option.") { kind, file };
        command.SetAction(parse =>
        {
            IMessage message = parse.GetRequiredValue(kind) == "check"
                ? new Calls("h2load").Refund(0, 42)
                : new HealthCheckRequest();
            var body = message.ToByteArray();
            var frame = new byte[5 + body.Length];
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)body.Length);
            body.CopyTo(frame, 5);
            var path = parse.GetRequiredValue(file).FullName;
            File.WriteAllBytes(path, frame);
            output.WriteLine($"wrote {frame.Length} bytes to {path}");
            return 0;
        });
        return command;
    }
}
