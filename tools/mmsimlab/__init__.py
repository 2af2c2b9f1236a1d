"""mmsim's classroom: labs (tools/lab) and pictures (tools/plot)."""
