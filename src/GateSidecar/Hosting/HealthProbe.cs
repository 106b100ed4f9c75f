namespace GateSidecar.Hosting;

/// <summary><c>GateSidecar healthcheck [--url URL]</c>: exit 0 when the URL answers 2xx (for container HEALTHCHECKs without curl).</summary>
internal static class HealthProbe
{
    public static async Task<int> RunAsync(string[] args)
    {
        var url = "http://127.0.0.1:7080/readyz";
        for (var i = 1; i < args.Length - 1; i++)
        {
            if (args[i] == "--url")
            {
                url = args[i + 1];
            }
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await http.GetAsync(new Uri(url)).ConfigureAwait(false);
            Console.Out.WriteLine($"{url}: {(int)response.StatusCode}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            Console.Error.WriteLine($"{url}: {ex.Message}");
            return 1;
        }
    }
}
