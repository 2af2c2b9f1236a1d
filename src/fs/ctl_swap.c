/*
 * sim/ctl's swapon and swapoff: swapon(8)/swapoff(8) of a device, as the
 * system calls take them (mm/swapfile.c).  PATH is an absolute path (under
 * /dev/ a partition, elsewhere a file), SIZE the device's size as mkswap
 * would format it (K, M, G, T; whole pages), prio=N a priority 0..32767
 * (swapon -p); without it the kernel gives -2, -3, ...
 */
#include <errno.h>
#include <string.h>

#include "ctl.h"
#include "mmsim/swap.h"

#define SWAP_PATH_MAX 4095 /* PATH_MAX less the NUL */

static int check_swap_path(const char *path, const char **why)
{
	if (path[0] != '/') {
		*why = "PATH must be absolute";
		return -EINVAL;
	}
	if (strlen(path) > SWAP_PATH_MAX) {
		*why = "PATH is longer than PATH_MAX";
		return -ENAMETOOLONG;
	}
	return 0;
}

int ctl_swapon(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply, const char **why)
{
	const char *vprio = ctl_opt(cmd, "prio");
	uint64_t size, prio = 0;
	int err;

	(void)ctx;
	if (cmd->nargs != 2 || !parse_size(cmd->args[1], &size)) {
		*why = "usage: swapon PATH SIZE [prio=N]";
		return -EINVAL;
	}
	if ((err = check_swap_path(cmd->args[0], why)))
		return err;
	if (vprio && (!ctl_parse_u64(vprio, &prio) || prio > SWAP_FLAG_PRIO_MASK)) {
		*why = "prio= must be 0..32767";
		return -EINVAL;
	}
	if (ctl_unused_opt(cmd)) {
		*why = "unknown option";
		return -EINVAL;
	}
	err = sys_swapon(m, cmd->args[0], size, vprio ? (int)prio : -1);
	switch (err) {
	case 0:
		g_string_append(reply, "ok");
		return 0;
	case -EBUSY:
		*why = "PATH is already a swap device";
		break;
	case -EINVAL:
		*why = "SIZE must be at least 40K (10 pages: mkswap's minimum) and at most 1T";
		break;
	case -EPERM:
		*why = "all MAX_SWAPFILES swap devices are in use";
		break;
	default:
		*why = "refused by the kernel";
		break;
	}
	return err;
}

int ctl_swapoff(struct machine *m, const struct fs_ctx *ctx, struct ctl_cmd *cmd, GString *reply, const char **why)
{
	int err;

	(void)ctx;
	if (cmd->nargs != 1 || cmd->nopts) {
		*why = "usage: swapoff PATH";
		return -EINVAL;
	}
	if ((err = check_swap_path(cmd->args[0], why)))
		return err;
	err = sys_swapoff(m, cmd->args[0]);
	switch (err) {
	case 0:
		g_string_append(reply, "ok");
		return 0;
	case -EINVAL:
		*why = "PATH is not an active swap device";
		break;
	case -ENOMEM:
		*why = "Committed_AS would not fit without it (overcommit_memory 2)";
		break;
	case -EBUSY:
		*why = "pages are swapped out to it";
		break;
	default:
		*why = "refused by the kernel";
		break;
	}
	return err;
}
