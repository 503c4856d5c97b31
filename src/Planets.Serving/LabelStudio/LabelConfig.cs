using System.Xml;
using System.Xml.Linq;
using Planets.Serving.Api;

namespace Planets.Serving.LabelStudio;

/// <summary>
/// What a Label Studio labeling configuration asks of a classifier: the <c>&lt;Choices&gt;</c> control to fill
/// (<see cref="FromName"/>), the <c>&lt;Image&gt;</c> it labels (<see cref="ToName"/>), the task data field holding
/// that image (<see cref="ImageField"/>) and the choices offered, each mapped onto one of the model's labels.
/// Control names are read from the configuration, never assumed.
/// </summary>
/// <param name="FromName">The <c>name</c> of the <c>&lt;Choices&gt;</c> control.</param>
/// <param name="ToName">The <c>toName</c> of the control: the <c>&lt;Image&gt;</c>'s name.</param>
/// <param name="ImageField">The task data key of the image (<c>$image</c> gives <c>image</c>).</param>
/// <param name="Choices">The offered values, each with the index of the model label it stands for.</param>
public sealed record LabelConfig(string FromName, string ToName, string ImageField, IReadOnlyList<LabelChoice> Choices)
{
    /// <summary>
    /// Reads <paramref name="xml"/> and maps its choices onto <paramref name="modelLabels"/> (ignoring case).
    /// </summary>
    /// <exception cref="RequestProblemException">422: not XML, no choices control over an image, or choices the model does not know.</exception>
    public static LabelConfig Parse(string? xml, IReadOnlyList<string> modelLabels)
    {
        ArgumentNullException.ThrowIfNull(modelLabels);
        var root = Load(xml);
        var choices = root.Descendants().FirstOrDefault(e => e.Name.LocalName == "Choices")
            ?? throw Invalid("it has no <Choices> control; a classifier fills one <Choices> over an <Image>");
        var fromName = Attribute(choices, "name");
        var toName = Attribute(choices, "toName");
        var image = root.Descendants().FirstOrDefault(e => e.Name.LocalName == "Image" && (string?)e.Attribute("name") == toName)
            ?? throw Invalid($"<Choices name=\"{fromName}\"> labels '{toName}', which is no <Image> of the configuration");
        var value = Attribute(image, "value");
        if (!value.StartsWith('$') || value.Length == 1)
        {
            throw Invalid($"<Image name=\"{toName}\"> has value \"{value}\"; expected a task field such as \"$image\"");
        }

        return new LabelConfig(fromName, toName, value[1..], MapChoices(fromName, choices, modelLabels));
    }

    /// <summary>
    /// The configuration of a single-choice classification over <paramref name="labels"/>, with the control names the
    /// reference project uses (<c>image</c>, <c>choice</c>).
    /// </summary>
    public static string ForLabels(IEnumerable<string> labels) =>
        "<View>\n  <Image name=\"image\" value=\"$image\"/>\n  <Choices name=\"choice\" toName=\"image\" choice=\"single-radio\" showInline=\"true\">\n"
        + string.Concat(labels.Select(l => $"    <Choice value=\"{System.Security.SecurityElement.Escape(l)}\"/>\n")) + "  </Choices>\n</View>";

    /// <summary>
    /// The pre-label for <paramref name="prediction"/>: the most probable of the values offered (a model label the
    /// project leaves out is never proposed), with its probability as the score.
    /// </summary>
    public TaskPrediction PreLabel(Inference.Prediction prediction, IReadOnlyList<string> labels, string modelVersion)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(labels);
        var best = Choices.MaxBy(choice => prediction.Probabilities[labels[choice.LabelIndex]])!;
        var result = new ChoicesResult(FromName, ToName, "choices", new ChoicesValue([best.Value]));
        return new TaskPrediction([result], prediction.Probabilities[labels[best.LabelIndex]], modelVersion, null);
    }

    private static List<LabelChoice> MapChoices(string fromName, XElement choices, IReadOnlyList<string> modelLabels)
    {
        var values = choices.Descendants().Where(e => e.Name.LocalName == "Choice").Select(c => Attribute(c, "value")).ToList();
        if (values.Count == 0)
        {
            throw Invalid($"<Choices name=\"{fromName}\"> offers no <Choice value=\"...\"/>");
        }

        var unknown = values.Where(v => IndexOf(modelLabels, v) < 0).ToList();
        if (unknown.Count > 0)
        {
            throw Invalid($"<Choices name=\"{fromName}\"> has values the model does not know: {string.Join(", ", unknown)} "
                + $"(the model's labels: {string.Join(", ", modelLabels)})");
        }

        return [.. values.Select(v => new LabelChoice(v, IndexOf(modelLabels, v)))];
    }

    private static int IndexOf(IReadOnlyList<string> labels, string value)
    {
        for (var i = 0; i < labels.Count; i++)
        {
            if (string.Equals(labels[i], value, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    private static XElement Load(string? xml)
    {
        if (string.IsNullOrWhiteSpace(xml))
        {
            throw Invalid("it is empty");
        }

        try
        {
            // No DTDs: a configuration comes over the network and must not make the parser fetch or expand anything.
            using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            return XElement.Load(reader);
        }
        catch (XmlException ex)
        {
            throw Invalid($"it is not well-formed XML ({ex.Message})");
        }
    }

    private static string Attribute(XElement element, string name) =>
        (string?)element.Attribute(name) is { Length: > 0 } value
            ? value
            : throw Invalid($"<{element.Name.LocalName}> has no {name}=\"...\"");

    private static RequestProblemException Invalid(string reason) =>
        new(StatusCodes.Status422UnprocessableEntity, "Unusable label config", $"label config: {reason}");
}

/// <summary>One value of the <c>&lt;Choices&gt;</c> control and the model label it stands for.</summary>
/// <param name="Value">The value as the configuration spells it (what a prediction must name).</param>
/// <param name="LabelIndex">The index of the model's label.</param>
public sealed record LabelChoice(string Value, int LabelIndex);
