using System.Text.Encodings.Web;
using System.Text.Json;
using KdumpDebug.Kernel;

namespace KdumpDebug.Commands.Triage;

/// <summary>
/// The triage report as one JSON object (README "Command line" documents the fields): the same
/// facts as <see cref="TriageTextWriter"/> under stable camelCase names, written field by field
/// with <see cref="Utf8JsonWriter"/> (no reflection, so names never follow a C# rename).
/// Addresses are lower-case hex strings without 0x, as crash prints them; unknown facts are null;
/// lists are always present (possibly empty).
/// </summary>
public static class TriageJsonWriter
{
    public static void Write(Stream output, TriageReport report)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(report);
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions
        {
            Indented = true,
            // Kernel text holds '<', '>', '+' and quotes: keep them readable, as the text report does.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
        json.WriteStartObject();

        json.WriteStartObject("kernel");
        json.WriteString("release", report.Release);
        json.WriteString("version", report.Version);
        json.WriteString("machine", report.Machine);
        json.WriteString("nodename", report.NodeName);
        json.WriteString("vmlinux", report.Vmlinux);
        json.WriteEndObject();

        json.WriteStartObject("dump");
        json.WriteString("file", report.DumpFile);
        json.WriteBoolean("partial", report.PartialDump);
        json.WriteString("date", report.Date);
        json.WriteString("uptime", report.Uptime);
        Number(json, "cpus", report.Cpus);
        Number(json, "offlineCpus", report.OfflineCpus);
        Number(json, "tasks", report.Tasks);
        json.WriteEndObject();

        json.WriteStartObject("panic");
        json.WriteString("message", report.PanicMessage);
        json.WriteString("kind", report.Reason.Kind);
        json.WriteString("summary", report.Reason.Summary);
        json.WriteStartArray("details");
        foreach (var d in report.Reason.Details) json.WriteStringValue(d);
        json.WriteEndArray();
        json.WriteString("taint", report.Taint);
        json.WriteString("taintedMask", report.TaintedMask is ulong mask ? mask.ToString("x", System.Globalization.CultureInfo.InvariantCulture) : null);
        json.WriteEndObject();

        json.WritePropertyName("task");
        Task(json, report.PanicTask);
        json.WritePropertyName("exceptionRip");
        Location(json, report.ExceptionRip);
        json.WritePropertyName("suspect");
        Location(json, report.Suspect);

        json.WriteStartArray("callTrace");
        foreach (var e in report.CallTrace)
        {
            json.WriteStartObject();
            json.WriteString("kind", e.Kind switch
            {
                CallTraceEntryKind.KernelRegs => "kernel-regs",
                CallTraceEntryKind.UserRegs => "user-regs",
                _ => "frame",
            });
            json.WriteString("text", e.Text);
            json.WriteString("function", e.Function);
            json.WriteString("module", e.Module);
            json.WriteString("pc", Hex(e.Pc));
            json.WriteEndObject();
        }
        json.WriteEndArray();

        json.WriteStartArray("onCpu");
        foreach (var c in report.OnCpu)
        {
            json.WriteStartObject();
            json.WriteNumber("cpu", c.Cpu);
            json.WritePropertyName("task");
            Task(json, c.Task);
            json.WriteString("top", c.Top);
            json.WriteBoolean("panic", c.IsPanicCpu);
            json.WriteEndObject();
        }
        json.WriteEndArray();

        json.WriteStartObject("uninterruptible");
        Number(json, "count", report.UninterruptibleCount);
        json.WriteStartArray("tasks");
        foreach (var t in report.Uninterruptible) Task(json, t);
        json.WriteEndArray();
        json.WriteEndObject();
        Number(json, "zombies", report.ZombieCount);

        json.WriteStartObject("memory");
        Number(json, "totalBytes", report.Memory?.TotalBytes);
        Number(json, "freeBytes", report.Memory?.FreeBytes);
        json.WriteEndObject();

        json.WriteStartArray("log");
        foreach (var line in report.Log) json.WriteStringValue(line);
        json.WriteEndArray();
        json.WriteStartArray("problems");
        foreach (var p in report.Problems) json.WriteStringValue(p);
        json.WriteEndArray();

        json.WriteEndObject();
        json.Flush();
    }

    static string Hex(ulong value) => value.ToString("x", System.Globalization.CultureInfo.InvariantCulture);

    static void Number(Utf8JsonWriter json, string name, long? value)
    {
        if (value is long v) json.WriteNumber(name, v);
        else json.WriteNull(name);
    }

    static void Number(Utf8JsonWriter json, string name, ulong? value)
    {
        if (value is ulong v) json.WriteNumber(name, v);
        else json.WriteNull(name);
    }

    static void Task(Utf8JsonWriter json, TriageTask? task)
    {
        if (task is null)
        {
            json.WriteNullValue();
            return;
        }
        json.WriteStartObject();
        json.WriteNumber("pid", task.Pid);
        json.WriteString("comm", task.Comm);
        json.WriteString("task", Hex(task.Address));
        json.WriteNumber("cpu", task.Cpu);
        json.WriteString("state", task.State);
        json.WriteString("stateName", task.StateName);
        json.WriteEndObject();
    }

    static void Location(Utf8JsonWriter json, TriageLocation? location)
    {
        if (location is null)
        {
            json.WriteNullValue();
            return;
        }
        json.WriteStartObject();
        json.WriteString("text", location.Text);
        json.WriteString("function", location.Function);
        json.WriteString("module", location.Module);
        json.WriteString("pc", Hex(location.Pc));
        json.WriteString("source", location.Source);
        json.WriteEndObject();
    }
}
