/* Machine presets compiled from machines/ (tools/gen-presets.py). */
#ifndef MMSIM_PRESETS_H
#define MMSIM_PRESETS_H

struct machine_preset {
	const char *name;
	const char *keyfile;  /* the preset's GLib key-file text */
};

extern const struct machine_preset machine_presets[]; /* ends with { NULL } */

#endif
