using System.Diagnostics;
using Spectre.Console;

namespace Gate.LoadTests.Reporting;

/// <summary>
/// Live progress while a run is under way: one self-updating line on a terminal (Spectre.Console),
/// plain timestamped lines every few seconds when the output is a file or CI log.
/// </summary>
internal sealed class ProgressDisplay(TextWriter output, bool interactive, TimeSpan plainInterval)
{
    public static ProgressDisplay ForConsole() => new(
        Console.Out,
        !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("CI") is null,
        TimeSpan.FromSeconds(5));

    public async Task RunAsync(string label, Func<string> describe, Task work)
    {
        var clock = Stopwatch.StartNew();
        if (interactive)
        {
            await AnsiConsole.Live(new Markup(string.Empty)).AutoClear(true).StartAsync(async live =>
            {
                while (!work.IsCompleted)
                {
                    live.UpdateTarget(new Markup($"[grey]{Markup.Escape(label)} {clock.Elapsed.TotalSeconds,5:0}s[/] {Markup.Escape(describe())}"));
                    live.Refresh();
                    await Task.WhenAny(work, Task.Delay(250)).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
        }
        else
        {
            while (!work.IsCompleted)
            {
                await Task.WhenAny(work, Task.Delay(plainInterval)).ConfigureAwait(false);
                if (!work.IsCompleted)
                {
                    output.WriteLine($"[{label} {clock.Elapsed.TotalSeconds:0}s] {describe()}");
                }
            }
        }

        await work.ConfigureAwait(false);
    }
}
