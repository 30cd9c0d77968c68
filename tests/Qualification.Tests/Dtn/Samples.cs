using Qualification.Dtn.Validation;

namespace Qualification.Tests.Dtn;

/// <summary>The sample flow files under Dtn/Samples (copied to the test output folder).</summary>
internal static class Samples
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Dtn", "Samples");

    public static string PathOf(string name) => Path.Combine(Folder, name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    /// <summary>Files that must validate without errors: one per flow, the CRLF variant, and every rule's passing file.</summary>
    public static IEnumerable<string> Valid() =>
        Directory.GetFiles(Folder, "*.flow").Select(Path.GetFileName).OfType<string>()
            .Where(n => n.EndsWith("_valid.flow", StringComparison.Ordinal) || n.EndsWith("_valid_crlf.flow", StringComparison.Ordinal) || n.EndsWith("_pass.flow", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    /// <summary>The metering points the MHHS rule samples refer to.</summary>
    public static MeteringPointDirectory Points => MeteringPointDirectory.Load(PathOf("points.csv"));
}
