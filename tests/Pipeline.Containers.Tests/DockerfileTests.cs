namespace Pipeline.Containers.Tests;

public sealed class DockerfileTests
{
    [Fact]
    public void Writes_exec_form_instructions_in_order()
    {
        var dockerfile = Dockerfile.From("mcr.microsoft.com/dotnet/aspnet:10.0")
            .Env(new KeyValuePair<string, string>("A", "one two"))
            .Copy("app/", "/app/")
            .User("1654")
            .Expose(3000)
            .HealthCheck(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20), 3, "dotnet", "/app/x.dll", "probe")
            .Entrypoint("dotnet", "/app/x.dll");

        Assert.Equal(
            """
            FROM mcr.microsoft.com/dotnet/aspnet:10.0
            ENV A="one two"
            COPY ["app/","/app/"]
            USER 1654
            EXPOSE 3000
            HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 CMD ["dotnet","/app/x.dll","probe"]
            ENTRYPOINT ["dotnet","/app/x.dll"]

            """.ReplaceLineEndings("\n"),
            dockerfile.ToString());
    }
}
