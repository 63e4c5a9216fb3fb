// System.Range would otherwise clash with the protocol's Range in every file using both namespaces.
global using Range = KdumpDebug.Lsp.Protocol.Range;
