using Spectre.Console;

namespace GateCtl.Output;

/// <summary>
/// A Spectre console over the command's writer: colours only on a real terminal, plain unwrapped text
/// everywhere else, so output captured by scripts and tests is stable.
/// </summary>
internal static class ConsoleFactory
{
    private const int PlainWidth = 1000;

    public static IAnsiConsole Create(TextWriter writer)
    {
        var terminal = ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!terminal)
        {
            console.Profile.Width = PlainWidth;
        }

        return console;
    }
}
