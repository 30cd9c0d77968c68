using System.Globalization;

namespace Qualification.Dtn.IO;

/// <summary>
/// The ZHV header of a flow file. Field names and widths follow public samples (no official
/// DTN specification of ZHV was found): file id CHAR(10), flow and version CHAR(8), role codes
/// CHAR(1) (CHAR(2) after CP1589), MPIDs CHAR(4), creation time ccyymmddhhmmss, two application ids,
/// a broadcast flag and the test-data flag (OPER live; TRnn test).
/// </summary>
public sealed record ZhvHeader
{
    /// <summary>Fields a ZHV line has after "ZHV".</summary>
    public const int FieldCount = 11;

    /// <summary>File Identifier.</summary>
    public required string FileId { get; init; }
    /// <summary>Data Flow and Version Number, e.g. D0010002.</summary>
    public required string FlowAndVersion { get; init; }
    /// <summary>From Market Participant Role Code (J0934).</summary>
    public required string FromRole { get; init; }
    /// <summary>From Market Participant Id.</summary>
    public required string FromMpid { get; init; }
    /// <summary>To Market Participant Role Code (J0935).</summary>
    public required string ToRole { get; init; }
    /// <summary>To Market Participant Id.</summary>
    public required string ToMpid { get; init; }
    /// <summary>File Creation Timestamp, ccyymmddhhmmss.</summary>
    public required string CreatedAt { get; init; }
    /// <summary>Sending Application Id.</summary>
    public string? SendingApplication { get; init; }
    /// <summary>Receiving Application Id.</summary>
    public string? ReceivingApplication { get; init; }
    /// <summary>Broadcast flag.</summary>
    public string? Broadcast { get; init; }
    /// <summary>Test Data Flag: OPER for live data.</summary>
    public string? TestDataFlag { get; init; }

    /// <summary>Flow id, e.g. D0010.</summary>
    public string FlowId => FlowAndVersion.Length >= 5 ? FlowAndVersion[..5] : FlowAndVersion;
    /// <summary>Version, e.g. 002.</summary>
    public string Version => FlowAndVersion.Length > 5 ? FlowAndVersion[5..] : "";

    /// <summary>Reads a ZHV record (field count is checked by the validator, not here).</summary>
    public static ZhvHeader From(DtnRecord r) => new()
    {
        FileId = r.Field(0).ToString(), FlowAndVersion = r.Field(1).ToString(), FromRole = r.Field(2).ToString(), FromMpid = r.Field(3).ToString(),
        ToRole = r.Field(4).ToString(), ToMpid = r.Field(5).ToString(), CreatedAt = r.Field(6).ToString(), SendingApplication = r.Text(7),
        ReceivingApplication = r.Text(8), Broadcast = r.Text(9), TestDataFlag = r.Text(10),
    };

    /// <summary>The ZHV line's fields in order.</summary>
    public IReadOnlyList<string?> Fields() =>
        [FileId, FlowAndVersion, FromRole, FromMpid, ToRole, ToMpid, CreatedAt, SendingApplication, ReceivingApplication, Broadcast, TestDataFlag];

    /// <summary>A ccyymmddhhmmss timestamp.</summary>
    public static string Timestamp(DateTime local) => local.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
}

/// <summary>
/// The ZPT trailer: file id, record count (body lines, without ZHV and ZPT), checksum (blank in every
/// sample), flow count (level-1 groups) and completion time.
/// </summary>
public sealed record ZptTrailer
{
    /// <summary>Fields a ZPT line has after "ZPT".</summary>
    public const int FieldCount = 5;

    /// <summary>File Identifier; equals the ZHV's.</summary>
    public required string FileId { get; init; }
    /// <summary>Body line count.</summary>
    public required long RecordCount { get; init; }
    /// <summary>Checksum (unused in practice).</summary>
    public string? Checksum { get; init; }
    /// <summary>Number of level-1 groups.</summary>
    public required long FlowCount { get; init; }
    /// <summary>File Completion Timestamp, ccyymmddhhmmss.</summary>
    public required string CompletedAt { get; init; }

    /// <summary>The ZPT line's fields in order.</summary>
    public IReadOnlyList<string?> Fields() =>
        [FileId, RecordCount.ToString(CultureInfo.InvariantCulture), Checksum, FlowCount.ToString(CultureInfo.InvariantCulture), CompletedAt];
}
