using KdumpDebug.Commands.Parsing;
using KdumpDebug.Core.Errors;
using KdumpDebug.Kernel;
using KdumpDebug.Kernel.Net;

namespace KdumpDebug.Commands.Crash;

/// <summary>
/// crash's <c>net</c>: the network devices of the initial namespace with their IPv4 addresses
/// (net.c show_net_devices_v3), and with <c>-s</c> the sockets a task has open (sym_socket_dump:
/// <c>FD SOCKET SOCK FAMILY:TYPE SOURCE-PORT DESTINATION-PORT</c>) for the context task or each task
/// named by PID or address. After crash's columns we add the socket state and, for unix sockets,
/// the bound path and peer, which crash does not show. <c>-n pid|task</c> lists the devices of that
/// task's network namespace; <c>-N addr</c> converts a number to dotted form.
/// </summary>
public sealed class NetCommand : ICommand
{
    const string SocketHeader = "FD      SOCKET            SOCK       FAMILY:TYPE SOURCE-PORT DESTINATION-PORT";

    public CommandHelp Help { get; } = new(
        Name: "net",
        Aliases: [],
        Summary: "network command",
        Synopsis: "net [-n pid | taskp] [-N addr] [-s [pid | taskp] ...]",
        Description: """
            Display the network devices of the initial network namespace with their IPv4
            addresses.

              -s       display the sockets open in the current context's task, or in the
                       tasks given by PID or task_struct address: the fd, struct socket,
                       struct sock, family and type, local and remote address-port for
                       INET sockets, then the socket state (and, for UNIX sockets, the
                       bound path and the peer's struct sock).
              -n pid   display the network devices of the network namespace of the
                       task given by PID or task_struct address.
              -N addr  translate an IPv4 address (a number, as the kernel stores it) to
                       dotted-decimal notation.
            """,
        Examples: """
              crash> net
                 NET_DEVICE     NAME   IP ADDRESS(ES)
              ffffa0f7c0187000  lo     127.0.0.1

              crash> net -s 57
              PID: 57       TASK: ffffa0f7c0a9e540  CPU: 1    COMMAND: "fxhold"
              FD      SOCKET            SOCK       FAMILY:TYPE SOURCE-PORT DESTINATION-PORT
              13 ffffa0f7c0b5a000 ffffa0f7c0b62000 INET:STREAM  127.0.0.1-7777 0.0.0.0-0 LISTEN
            """);

    public void Execute(CommandContext context)
    {
        var parsed = GetOpt.Parse(context.Arguments, "sn:N:");
        if (parsed.Options.FirstOrDefault(o => o.Name == 'N') is { Argument: { } number })
        {
            var value = CrashNumber.TryParseHex(number, out var hex) && !CrashNumber.IsDecimal(number) ? hex
                : ulong.TryParse(number, out var dec) ? dec : throw new CommandException($"invalid number: {number}");
            context.Out.Write(Inet.NtoA((uint)value) + "\n");
            return;
        }
        if (parsed.Options.Any(o => o.Name == 's'))
        {
            Sockets(context, parsed.Operands);
            return;
        }
        if (parsed.Operands.Count > 0) throw CommandException.Usage();
        ulong? ns = null;
        if (parsed.Options.FirstOrDefault(o => o.Name == 'n') is { Argument: { } pid })
        {
            var task = context.ResolveTask(pid, "net");
            ns = NetDevices.TaskNetNamespace(context.Kernel().Target, task.Address);
            if (ns == 0) throw new CommandException($"task {task.Address:x} has no network namespace");
        }
        Devices(context, ns);
    }

    static void Devices(CommandContext context, ulong? ns)
    {
        var problems = new List<string>();
        var devices = NetDevices.ForEachNetdev(context.Kernel().Target, problems, ns);
        context.Out.Write("   NET_DEVICE     NAME   IP ADDRESS(ES)\n");
        foreach (var d in devices)
            context.Out.Write($"{d.Address,16:x}  {d.Name,-6} {string.Join(", ", d.Ipv4Addresses)}\n");
        foreach (var p in problems) context.Out.Write($"net: {p}\n");
    }

    static void Sockets(CommandContext context, IReadOnlyList<string> operands)
    {
        if (operands.Count == 0)
        {
            var task = context.CurrentTask();
            context.Out.Write(KernelContext.TaskHeader(task) + "\n");
            WriteSockets(context, task.Address);
            return;
        }
        var subsequent = false;
        foreach (var operand in operands)
        {
            KernelTask task;
            try
            {
                task = context.ResolveTask(operand, "net");
            }
            catch (CommandException e)
            {
                context.Out.Write($"{(subsequent ? "\n" : "")}net: {e.Message}\n");
                subsequent = true;
                continue;
            }
            context.Out.Write($"{(subsequent ? "\n" : "")}{KernelContext.TaskHeader(task)}\n");
            subsequent = true;
            WriteSockets(context, task.Address);
        }
    }

    static void WriteSockets(CommandContext context, ulong task)
    {
        var problems = new List<string>();
        IReadOnlyList<SocketInfo> sockets;
        try
        {
            sockets = TaskSockets.ForTask(context.Kernel().Target, task, problems);
        }
        catch (KdumpDebugException e)
        {
            context.Out.Write($"net: task {task:x}: {e.Message}\n");
            return;
        }
        if (sockets.Count == 0) context.Out.Write("No open sockets.\n");
        else context.Out.Write(SocketHeader + "\n");
        foreach (var s in sockets) context.Out.Write(FormatSocket(s) + "\n");
        foreach (var p in problems) context.Out.Write($"net: {p}\n");
    }

    /// <summary>
    /// One socket row: crash's <c>"%2d  %16lx  %16lx  FAMILY:TYPE "</c> with the INET/INET6
    /// <c>" local-port remote-port"</c> (net.c get_sock_info, 64-bit), then our state and unix endpoint.
    /// </summary>
    public static string FormatSocket(SocketInfo s)
    {
        var text = new System.Text.StringBuilder();
        text.Append($"{s.Fd,2}  {s.Socket,16:x}  {s.Sock,16:x}  ");
        text.Append(TaskSockets.FamilyName(s.Family)).Append(':').Append(TaskSockets.TypeName(s.Type)).Append(' ');
        if (s.LocalAddress is not null)
            text.Append($" {s.LocalAddress}-{s.LocalPort} {s.RemoteAddress}-{s.RemotePort}");
        if (s.StateName is not null) text.Append(' ').Append(s.StateName);
        if (s.UnixPath is not null) text.Append(' ').Append(s.UnixPath);
        if (s.UnixPeer != 0) text.Append(" peer ").Append(s.UnixPeer.ToString("x"));
        return text.ToString();
    }
}
