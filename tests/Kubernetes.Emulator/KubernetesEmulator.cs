using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kubernetes.Emulator;

/// <summary>
/// A Kubernetes API server for tests, on 127.0.0.1 and a free port: in-memory objects, watches, server-side apply,
/// a deployment controller, and a kubelet whose pods do what <see cref="IPodRuntime"/> says. Clients reach it
/// through the kubeconfig <see cref="WriteKubeconfig"/> writes, exactly as they would a cluster.
/// </summary>
public sealed class KubernetesEmulator : IAsyncDisposable
{
    /// <summary>The bearer token in the kubeconfig; the emulator accepts any.</summary>
    public const string Token = "emulator-token";

    private readonly WebApplication app;
    private readonly ObjectStore store;
    private readonly ApiServer api;
    private readonly Controllers controllers;
    private readonly CancellationTokenSource stopping;
    private readonly Task controllerLoop;

    private KubernetesEmulator(WebApplication app, ObjectStore store, ApiServer api, Controllers controllers, CancellationTokenSource stopping, Task controllerLoop, Uri server)
    {
        this.controllers = controllers;
        this.app = app;
        this.store = store;
        this.api = api;
        this.stopping = stopping;
        this.controllerLoop = controllerLoop;
        Server = server;
    }

    /// <summary>The API server's address (http://127.0.0.1:port).</summary>
    public Uri Server { get; }

    /// <summary>The requests received so far, oldest first.</summary>
    public IReadOnlyList<RecordedRequest> Requests => api.Requests;

    /// <summary>Every pod deleted so far, as it was when deleted.</summary>
    public IReadOnlyList<JsonObject> DeletedPods => store.DeletedPods;

    /// <summary>
    /// How long the job controller waits before replacing an index's first failed pod (doubling after each further
    /// failure); 10 s as in a real cluster unless a test shortens it.
    /// </summary>
    public TimeSpan JobPodFailureBackoff
    {
        get => controllers.JobController.PodFailureBackoff;
        set => controllers.JobController.PodFailureBackoff = value;
    }

    /// <summary>The newest resourceVersion.</summary>
    public long ResourceVersion => store.Revision;

    /// <summary>Starts an emulator with the namespaces default and kube-system.</summary>
    /// <param name="runtime">What pods do; null for a <see cref="SimulatedPodRuntime"/> whose pods become ready at once.</param>
    public static async Task<KubernetesEmulator> StartAsync(IPodRuntime? runtime = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
        var app = builder.Build();
        var store = new ObjectStore();
        foreach (var ns in new[] { "default", "kube-system" })
        {
            store.Create(ResourceType.Named("namespaces"), "", new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } });
        }

        var stopping = new CancellationTokenSource();
        var controllers = new Controllers(store, runtime ?? new SimulatedPodRuntime());
        var api = new ApiServer(store, controllers, stopping.Token);
        app.Run(api.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var loop = Task.Run(() => controllers.RunAsync(stopping.Token));
        return new KubernetesEmulator(app, store, api, controllers, stopping, loop, new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal)));
    }

    /// <summary>Writes a kubeconfig whose current context points at this emulator; returns its path.</summary>
    public string WriteKubeconfig(string path, string @namespace = "default")
    {
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: emulator
              cluster:
                server: {Server.ToString().TrimEnd('/')}
            users:
            - name: emulator
              user:
                token: {Token}
            contexts:
            - name: emulator
              context:
                cluster: emulator
                user: emulator
                namespace: {@namespace}
            current-context: emulator

            """);
        return path;
    }

    /// <summary>Answers <paramref name="verb"/> (get, list, watch, create, update, patch, delete, or *) on <paramref name="resource"/> (pods, pods/log…) with 403 Forbidden.</summary>
    public void Forbid(string verb, string resource) => api.Forbid(verb, resource);

    /// <summary>Answers the next <paramref name="times"/> matching requests with an error Status (verb and resource may be *).</summary>
    public void FailNext(string verb, string resource, int code, string reason, string message, int times = 1, JsonObject? details = null) =>
        api.Inject(new InjectedError(verb, resource, code, reason, message, details, times));

    /// <summary>Stores an object as a client's create would (a Secret, a Namespace…); returns it as stored.</summary>
    public JsonObject Create(string resource, string @namespace, JsonObject item) => store.Create(ResourceType.Named(resource), @namespace, item);

    /// <summary>An object as stored now; null when there is none.</summary>
    public JsonObject? Get(string resource, string @namespace, string name) => store.Get(ResourceType.Named(resource), @namespace, name);

    /// <summary>The objects of a resource, in one namespace or (null) all.</summary>
    public IReadOnlyList<JsonObject> List(string resource, string? @namespace = null) => store.List(ResourceType.Named(resource), @namespace);

    /// <summary>Stops serving, ends open watches and log streams, and stops every pod.</summary>
    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await controllerLoop;
        await app.StopAsync();
        await app.DisposeAsync();
        stopping.Dispose();
    }
}
