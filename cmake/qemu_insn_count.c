/* A qemu TCG plugin that counts the guest instructions a program executes and prints
 * `insns=N` when it exits (to qemu's log, stderr unless -D is given). Each translated block adds its
 * instruction count inline when it runs: exact for single-threaded programs, and cheap.
 * Built by cmake/check-aarch64.sh against qemu-plugin.h from Debian's qemu source package:
 *   qemu-aarch64 -plugin ./libqemu_insn_count.so ./program */
#include <inttypes.h>
#include <stdio.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static uint64_t executed;

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &executed, qemu_plugin_tb_n_insns(tb));
}

static void report_at_exit(qemu_plugin_id_t id, void *data)
{
    (void)id;
    (void)data;
    char line[64];
    snprintf(line, sizeof line, "insns=%" PRIu64 "\n", executed);
    qemu_plugin_outs(line);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    (void)info;
    (void)argc;
    (void)argv;
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, report_at_exit, NULL);
    return 0;
}
