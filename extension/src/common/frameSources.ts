/**
 * Which stack frames have their source on this machine. `kdumpdebug dap` names each frame's file
 * (so the Call Stack shows `panic.c 358`) even when the kernel sources are not here; VS Code then
 * can only show "Could not load source". The extension opens the disassembly view for such a frame
 * instead (issue: "otherwise the disassembly view"). Filled from `stackTrace` responses; no VS Code API.
 */

/** A stackTrace response's frames, as much as this needs. */
export interface StackTraceBody {
    stackFrames?: { id?: number; source?: { path?: string; sourceReference?: number }; instructionPointerReference?: string }[];
}

export class FrameSources {
    private readonly bySession = new Map<string, Map<number, { path?: string; hasCode: boolean; servedByAdapter: boolean }>>();

    /** Records the frames of one stackTrace response of session `sessionId`. */
    record(sessionId: string, body: StackTraceBody | undefined): void {
        let frames = this.bySession.get(sessionId);
        if (!frames) this.bySession.set(sessionId, (frames = new Map()));
        for (const frame of body?.stackFrames ?? []) {
            if (typeof frame.id !== 'number') continue;
            frames.set(frame.id, {
                path: frame.source?.path,
                hasCode: typeof frame.instructionPointerReference === 'string',
                servedByAdapter: (frame.source?.sourceReference ?? 0) > 0,
            });
        }
    }

    /**
     * True when frame `frameId` has code to disassemble but no source file that `exists` finds
     * (no path, or a path not on disk and not served by the adapter). Unknown frames: false.
     */
    needsDisassembly(sessionId: string, frameId: number, exists: (path: string) => boolean): boolean {
        const frame = this.bySession.get(sessionId)?.get(frameId);
        if (!frame || !frame.hasCode || frame.servedByAdapter) return false;
        return frame.path === undefined || !exists(frame.path);
    }

    forget(sessionId: string): void {
        this.bySession.delete(sessionId);
    }
}
