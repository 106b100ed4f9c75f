using System.Globalization;
using System.Text;
using Gate.LoadTests.Measurement;

namespace Gate.LoadTests.Reporting;

/// <summary>
/// The latency-over-time chart, written by hand as SVG: p50, p99 and max per interval on a
/// logarithmic scale (top), completed calls and errors per second (bottom), and a dashed line where
/// the measured window starts.
/// </summary>
internal static class SvgChart
{
    private const double Width = 960;
    private const double Left = 70;
    private const double Right = 20;
    private const double TopPanelTop = 50;
    private const double TopPanelHeight = 250;
    private const double BottomPanelTop = 350;
    private const double BottomPanelHeight = 110;
    private const double Height = 510;

    public static string Render(string title, IReadOnlyList<TimeSeriesPoint> points, double measureFromSeconds)
    {
        var svg = new StringBuilder();
        svg.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.Append(Inv($"<text x=\"{Left}\" y=\"24\" font-size=\"15\" font-weight=\"bold\">{Escape(title)}</text>\n"));
        if (points.Count == 0)
        {
            svg.Append(Inv($"<text x=\"{Left}\" y=\"{TopPanelTop + 40}\">no data</text>\n</svg>\n"));
            return svg.ToString();
        }

        var plotWidth = Width - Left - Right;
        var step = points.Count > 1 ? points[1].AtSeconds - points[0].AtSeconds : 1;
        var span = Math.Max(step, points[^1].AtSeconds + step);
        double X(double seconds) => Left + (seconds / span * plotWidth);

        // Latency panel: decades from the smallest to the largest value seen.
        var positive = points.SelectMany(p => new[] { p.P50Ms, p.P99Ms, p.MaxMs }).Where(v => v > 0).DefaultIfEmpty(1).ToArray();
        var low = Math.Pow(10, Math.Floor(Math.Log10(positive.Min())));
        var high = Math.Pow(10, Math.Ceiling(Math.Log10(positive.Max())));
        if (high <= low)
        {
            high = low * 10;
        }

        double YLatency(double ms) => TopPanelTop + TopPanelHeight - ((Math.Log10(Math.Max(ms, low)) - Math.Log10(low)) / (Math.Log10(high) - Math.Log10(low)) * TopPanelHeight);
        Frame(svg, TopPanelTop, TopPanelHeight, "latency (ms, log scale)");
        for (var decade = low; decade <= high * 1.0001; decade *= 10)
        {
            var y = YLatency(decade);
            svg.Append(Inv($"<line x1=\"{Left}\" y1=\"{y:0.#}\" x2=\"{Width - Right}\" y2=\"{y:0.#}\" stroke=\"#e5e5e5\"/>\n"));
            svg.Append(Inv($"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{FormatMs(decade)}</text>\n"));
        }

        Line(svg, points, p => p.MaxMs, X, YLatency, step, "#d62728", 1.0, "max");
        Line(svg, points, p => p.P99Ms, X, YLatency, step, "#ff7f0e", 2.0, "p99");
        Line(svg, points, p => p.P50Ms, X, YLatency, step, "#1f77b4", 2.0, "p50");
        Legend(svg, [("p50", "#1f77b4"), ("p99", "#ff7f0e"), ("max", "#d62728")], TopPanelTop - 8);

        // Throughput panel.
        var peak = Math.Max(1, points.Max(p => Math.Max(p.OkPerSecond, p.ErrorsPerSecond)));
        var top = NiceCeiling(peak);
        double YRate(double perSecond) => BottomPanelTop + BottomPanelHeight - (perSecond / top * BottomPanelHeight);
        Frame(svg, BottomPanelTop, BottomPanelHeight, "completed per second");
        for (var i = 0; i <= 2; i++)
        {
            var value = top * i / 2;
            var y = YRate(value);
            svg.Append(Inv($"<line x1=\"{Left}\" y1=\"{y:0.#}\" x2=\"{Width - Right}\" y2=\"{y:0.#}\" stroke=\"#e5e5e5\"/>\n"));
            svg.Append(Inv($"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{value:0}</text>\n"));
        }

        Line(svg, points, p => p.OkPerSecond, X, YRate, step, "#2ca02c", 1.5, "ok/s", includeZero: true);
        if (points.Any(p => p.ErrorsPerSecond > 0))
        {
            Line(svg, points, p => p.ErrorsPerSecond, X, YRate, step, "#d62728", 1.5, "errors/s", includeZero: true);
        }

        Legend(svg, points.Any(p => p.ErrorsPerSecond > 0) ? [("ok/s", "#2ca02c"), ("errors/s", "#d62728")] : [("ok/s", "#2ca02c")], BottomPanelTop - 8);

        // Time axis and the start of the measured window.
        var tickEvery = NiceCeiling(span / 10);
        for (var t = 0.0; t <= span + 1e-9; t += tickEvery)
        {
            svg.Append(Inv($"<text x=\"{X(t):0.#}\" y=\"{BottomPanelTop + BottomPanelHeight + 18}\" text-anchor=\"middle\">{t:0.##}</text>\n"));
        }

        svg.Append(Inv($"<text x=\"{Left + (plotWidth / 2)}\" y=\"{Height - 8}\" text-anchor=\"middle\">seconds since the first call (by due time)</text>\n"));
        if (measureFromSeconds > 0 && measureFromSeconds < span)
        {
            var x = X(measureFromSeconds);
            svg.Append(Inv($"<line x1=\"{x:0.#}\" y1=\"{TopPanelTop}\" x2=\"{x:0.#}\" y2=\"{BottomPanelTop + BottomPanelHeight}\" stroke=\"#555\" stroke-dasharray=\"5,4\"/>\n"));
            svg.Append(Inv($"<text x=\"{x + 4:0.#}\" y=\"{TopPanelTop + 14}\" fill=\"#555\">measured from here</text>\n"));
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void Frame(StringBuilder svg, double top, double height, string label)
    {
        svg.Append(Inv($"<rect x=\"{Left}\" y=\"{top}\" width=\"{Width - Left - Right}\" height=\"{height}\" fill=\"none\" stroke=\"#999\"/>\n"));
        svg.Append(Inv($"<text x=\"14\" y=\"{top + (height / 2)}\" transform=\"rotate(-90 14 {top + (height / 2)})\" text-anchor=\"middle\">{Escape(label)}</text>\n"));
    }

    private static void Line(StringBuilder svg, IReadOnlyList<TimeSeriesPoint> points, Func<TimeSeriesPoint, double> value, Func<double, double> x, Func<double, double> y, double step, string color, double width, string name, bool includeZero = false)
    {
        var path = new StringBuilder();
        var pen = false;
        foreach (var point in points)
        {
            var v = value(point);
            if (v <= 0 && !includeZero)
            {
                pen = false;
                continue;
            }

            path.Append(Inv($"{(pen ? 'L' : 'M')}{x(point.AtSeconds + (step / 2)):0.#},{y(v):0.#} "));
            pen = true;
        }

        svg.Append(Inv($"<path d=\"{path.ToString().TrimEnd()}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"{width}\"><title>{name}</title></path>\n"));
    }

    private static void Legend(StringBuilder svg, (string Name, string Color)[] entries, double y)
    {
        var x = Width - Right - (entries.Length * 80);
        foreach (var (name, color) in entries)
        {
            svg.Append(Inv($"<rect x=\"{x}\" y=\"{y - 9}\" width=\"14\" height=\"4\" fill=\"{color}\"/>\n"));
            svg.Append(Inv($"<text x=\"{x + 18}\" y=\"{y - 4}\">{name}</text>\n"));
            x += 80;
        }
    }

    private static double NiceCeiling(double value)
    {
        if (value <= 0)
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var factor in new[] { 1.0, 2.0, 2.5, 5.0, 10.0 })
        {
            if (factor * magnitude >= value)
            {
                return factor * magnitude;
            }
        }

        return 10 * magnitude;
    }

    private static string FormatMs(double ms) => ms >= 1000
        ? Inv($"{ms / 1000:0.###} s")
        : Inv($"{ms:0.###}");

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
