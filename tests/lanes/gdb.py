# SPDX-License-Identifier: GPL-2.0
# make debug's gdb commands (tests/lanes/gdb.sh sources this after the
# kernel's vmlinux-gdb.py, then calls shmdemo_setup):
#   guest LINE      type LINE into the guest's shell, then continue the guest
#   shmdemo-caller  at a breakpoint in a system call: the process that made
#                   it, its number, and where in its program it was made
import os
import subprocess

import gdb

console = None  # the guest console's input (QEMU's pipe chardev)
program = None  # the host's copy of the program the guest runs (user_demo)


def shmdemo_setup(console_in, user_program):
    global console, program
    console, program = console_in, user_program


class Guest(gdb.Command):
    """guest LINE: type LINE into the guest's shell, then continue the guest.
The shell runs it when the guest runs again; its output is on the console."""

    def __init__(self):
        super().__init__("guest", gdb.COMMAND_RUNNING)

    def invoke(self, arg, from_tty):
        with open(console, "w") as f:
            f.write(arg + "\n")
        gdb.execute("continue", from_tty)


def current_regs(task):
    """The user registers of TASK, which is in a system call: do_syscall_64's
    regs argument where gdb can read it, else the top of TASK's stack."""
    frame = gdb.newest_frame()
    while frame is not None:
        if frame.name() == "do_syscall_64":
            try:
                regs = frame.read_var("regs")
                if not regs.is_optimized_out:
                    return regs.dereference()
            except (gdb.error, ValueError):
                pass
            break
        frame = frame.older()
    # x86-64: task_pt_regs() without padding; THREAD_SIZE is init_stack's.
    size = int(gdb.parse_and_eval("sizeof(init_stack)"))
    regs_type = gdb.lookup_type("struct pt_regs")
    top = int(task["stack"].cast(gdb.lookup_type("unsigned long"))) + size
    return gdb.Value(top - regs_type.sizeof).cast(regs_type.pointer()).dereference()


def text_vaddr(path):
    """The lowest address of PATH's executable segments, as linked."""
    out = subprocess.run(["readelf", "-lW", path], capture_output=True,
                         text=True, check=True).stdout
    lows = [int(w[2], 16) for w in (line.split() for line in out.splitlines())
            if len(w) >= 7 and w[0] == "LOAD" and "E" in w[6:]]
    return min(lows)


def where_in_program(addr, bias):
    """FUNCTION at FILE:LINE for a run-time address in the program."""
    out = subprocess.run(["addr2line", "-f", "-i", "-e", program,
                          hex(addr - bias)], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    return "%s at %s" % (out[0], os.path.relpath(out[1]) if out[1].startswith("/") else out[1])


class Caller(gdb.Command):
    """shmdemo-caller: at a breakpoint in a system call, the process that
made it (its name, PID and system call number) and where in its program
the call was made: the first return address into the program's code on
its user stack."""

    def __init__(self):
        super().__init__("shmdemo-caller", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        task = gdb.parse_and_eval("$lx_current()")
        comm = task["comm"].string()
        regs = current_regs(task)
        nr = int(regs["orig_ax"])
        try:
            call = gdb.execute("info symbol sys_call_table[%d]" % nr,
                               to_string=True).split()[0]
        except gdb.error:
            call = "?"
        print("caller: %s (PID %d), system call %d (%s), user ip 0x%x, sp 0x%x"
              % (comm, int(task["pid"]), nr, call, int(regs["ip"]),
                 int(regs["sp"])))
        if program is None or os.path.basename(program)[:15] != comm:
            return
        mm = task["mm"]
        start, end = int(mm["start_code"]), int(mm["end_code"])
        bias = start - text_vaddr(program)
        sp = int(regs["sp"])
        inferior = gdb.selected_inferior()
        for slot in range(64):
            word = int.from_bytes(inferior.read_memory(sp + 8 * slot, 8),
                                  "little")
            if start <= word < end:
                print("caller: %s's call returns to %s"
                      % (comm, where_in_program(word, bias)))
                return
        print("caller: no return address into %s on its stack" % comm)


class EndAtEntry:
    """A frame filter: a backtrace ends at the system call's entry
(entry_SYSCALL_64...), below which gdb would read user-space words as
kernel frames. shmdemo-caller shows the user side."""

    def __init__(self):
        self.name = "shmdemo-end-at-entry"
        self.priority = 100
        self.enabled = True
        gdb.frame_filters[self.name] = self

    def filter(self, frames):
        for frame in frames:
            yield frame
            name = frame.inferior_frame().name() or ""
            if name.startswith("entry_SYSCALL"):
                return


Guest()
Caller()
EndAtEntry()
