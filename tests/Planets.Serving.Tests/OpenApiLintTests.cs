using System.Diagnostics;
using System.Text.Json;

namespace Planets.Serving.Tests;

/// <summary>The service's OpenAPI document checked by a third-party linter: Redocly CLI, its recommended rules.</summary>
[Collection(ServiceGroup.Name)]
public sealed class OpenApiLintTests(ServiceFixture service)
{
    private static readonly string Linter = Path.Combine(RepositoryPaths.Root, "tests", "openapi-lint");

    [Fact]
    public async Task The_openapi_document_passes_redoclys_recommended_rules_without_an_error_or_a_warning()
    {
        await NodePackages.EnsureInstalledAsync(Linter, Path.Combine("node_modules", "@redocly", "cli", "bin", "cli.js"));
        var document = Path.Combine(service.Dir.Path, "openapi.json");
        await File.WriteAllTextAsync(document, await service.Client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));

        var (exitCode, output) = await LintAsync(document);

        using var report = JsonDocument.Parse(output);
        var problems = report.RootElement.GetProperty("problems").EnumerateArray()
            .Select(p => $"{p.GetProperty("severity").GetString()} {p.GetProperty("ruleId").GetString()} {p.GetProperty("location")[0].GetProperty("pointer").GetString()}: {p.GetProperty("message").GetString()}")
            .ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Equal(0, exitCode);
    }

    [Fact]
    public async Task The_linter_reports_what_the_document_lacked_before()
    {
        await NodePackages.EnsureInstalledAsync(Linter, Path.Combine("node_modules", "@redocly", "cli", "bin", "cli.js"));
        var document = Path.Combine(service.Dir.Path, "bare-openapi.json");
        await File.WriteAllTextAsync(document, """
            {"openapi": "3.1.1", "info": {"title": "t", "version": "1"}, "servers": [{"url": "http://localhost/"}],
             "paths": {"/predict": {"post": {"operationId": "p", "summary": "s", "responses": {"200": {"description": "OK"}, "400": {"description": "Bad"}}}}}}
            """);

        var (exitCode, output) = await LintAsync(document);

        Assert.Equal(1, exitCode);
        foreach (var rule in new[] { "no-server-trailing-slash", "security-defined", "info-license" })
        {
            Assert.Contains($"\"ruleId\": \"{rule}\"", output, StringComparison.Ordinal);
        }
    }

    private static async Task<(int ExitCode, string Output)> LintAsync(string document)
    {
        var start = new ProcessStartInfo("node", [Path.Combine(Linter, "node_modules", "@redocly", "cli", "bin", "cli.js"), "lint", "--extends=recommended", "--format=json", document])
        {
            WorkingDirectory = Linter,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        using var node = Process.Start(start)!;
        var error = node.StandardError.ReadToEndAsync();
        var output = await node.StandardOutput.ReadToEndAsync();
        await node.WaitForExitAsync();
        await error;
        return (node.ExitCode, output);
    }
}
