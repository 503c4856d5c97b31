using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Planets.Serving.Api;

/// <summary>
/// The OpenAPI document as its readers need it, and as Redocly's recommended rules check it: the licence, each tag
/// described, server addresses without a trailing slash, image bodies as binary (not .NET's <c>IFormFile</c>), and
/// which operations take a login (the Label Studio backend's, when one is configured) and which none.
/// </summary>
internal static class ApiDocument
{
    /// <summary>The API's name, in the document and on its page.</summary>
    public const string Title = "Planets prediction service";

    /// <summary>The prediction endpoints' tag.</summary>
    public const string PredictionsTag = "Predictions";

    /// <summary>The Label Studio ML backend's tag.</summary>
    public const string LabelStudioTag = "Label Studio ML backend";

    private const string LabelStudioLogin = "labelStudioBasic";

    private static readonly Dictionary<string, string> TagDescriptions = new(StringComparer.Ordinal)
    {
        [PredictionsTag] = "Classify images of planets and moons with the loaded model.",
        [LabelStudioTag] = "The ML backend Label Studio connects to: pre-labels for its tasks, its annotation events.",
    };

    /// <summary>Adds the conventions to the document's generation.</summary>
    public static void Configure(OpenApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddDocumentTransformer((document, _, _) =>
        {
            Describe(document);
            return Task.CompletedTask;
        });
    }

    private static void Describe(OpenApiDocument document)
    {
        document.Info.Title = Title;
        document.Info.Description = "Classifies images of planets and moons with the model from the model store.";
        document.Info.License = new OpenApiLicense { Name = "MIT", Identifier = "MIT" };
        foreach (var server in document.Servers ?? [])
        {
            server.Url = server.Url?.TrimEnd('/');
        }

        foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
        {
            tag.Description = TagDescriptions.GetValueOrDefault(tag.Name ?? "");
        }

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[LabelStudioLogin] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "basic",
            Description = "Label Studio's login to its ML backend, when the service is given one (else none is asked for).",
        };
        // No login by default; the backend's operations take Label Studio's, or none when the service has none set.
        document.Security = [new OpenApiSecurityRequirement()];
        foreach (var operation in (document.Paths ?? []).SelectMany(path => path.Value.Operations ?? []).Select(o => o.Value))
        {
            if (operation.Tags?.Any(t => t.Name == LabelStudioTag) == true)
            {
                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(LabelStudioLogin, document)] = [] }, new OpenApiSecurityRequirement()];
            }

            DescribeImageBodies(operation);
        }

        document.Components.Schemas?.Remove("IFormFile");
        document.Components.Schemas?.Remove("IFormFileCollection");
    }

    // An image is its bytes, as the body or as the file parts of a form.
    private static void DescribeImageBodies(OpenApiOperation operation)
    {
        foreach (var (mediaType, content) in operation.RequestBody?.Content ?? new Dictionary<string, OpenApiMediaType>())
        {
            content.Schema = (mediaType, operation.OperationId) switch
            {
                ("multipart/form-data", "PredictBatch") => new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Properties = new Dictionary<string, IOpenApiSchema> { ["files"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = Image() } },
                },
                ("multipart/form-data", _) => new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Required = new HashSet<string> { "file" },
                    Properties = new Dictionary<string, IOpenApiSchema> { ["file"] = Image() },
                },
                ("image/jpeg" or "image/png", _) => Image(),
                _ => content.Schema,
            };
        }
    }

    private static OpenApiSchema Image() => new() { Type = JsonSchemaType.String, Format = "binary", Description = "A JPEG or PNG image" };
}
