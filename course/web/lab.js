// SPDX-License-Identifier: GPL-2.0
// The shmdemo web lab: boots the guest that boot.json names (make web,
// tests/web/site.sh) in v86, and shows its serial console, ttyS0, in an
// xterm.js terminal. Everything runs in the browser; the server only
// serves these static files. window.shmdemoLab holds the console's
// output for tests (tests/web/test-web.py).
"use strict";

const lab = { output: "", promptSeen: false };
window.shmdemoLab = lab;

function setStatus(text) {
	document.getElementById("status").textContent = text;
}

async function start() {
	if (location.protocol === "file:") {
		setStatus("This page must come from a web server: run make web-serve " +
			"and open the address it prints. / Esta página debe servirse " +
			"por HTTP: ejecuta make web-serve y abre la dirección que indica.");
		return;
	}
	const term = new Terminal({ cursorBlink: true, fontSize: 15, scrollback: 5000 });
	term.open(document.getElementById("terminal"));
	term.focus();
	const boot = await (await fetch("boot.json")).json();
	const emulator = new V86({
		wasm_path: boot.wasm,
		memory_size: boot.memory_mb * 1024 * 1024,
		vga_memory_size: 2 * 1024 * 1024,
		bios: { url: boot.bios },
		vga_bios: { url: boot.vga_bios },
		bzimage: { url: boot.kernel },
		// A .zst file: v86 unpacks it, into initrd_size bytes.
		initrd: { url: boot.initrd, size: boot.initrd_size },
		cmdline: boot.cmdline,
		autostart: true,
		disable_keyboard: true,
		disable_mouse: true,
		disable_speaker: true,
	});
	setStatus("Booting Linux " + boot.release + ", about half a minute… / " +
		"Arrancando Linux " + boot.release + ", medio minuto más o menos…");
	// The console's bytes, passed to the terminal in batches: one write
	// per byte would be slow.
	const decoder = new TextDecoder();
	let pending = [];
	function flush() {
		const bytes = Uint8Array.from(pending);
		pending = [];
		term.write(bytes);
		lab.output += decoder.decode(bytes, { stream: true });
		if (!lab.promptSeen && /guest:\/root# /.test(lab.output)) {
			lab.promptSeen = true;
			setStatus("Ready: type in the terminal. / Listo: escribe en el terminal.");
		}
		// exit or poweroff: init checks the kernel log, prints its end
		// line and powers the guest off (tests/guest/init.c).
		if (/shmdemo-guest: end /.test(lab.output))
			setStatus("The guest has stopped: reload the page to start again. / " +
				"El invitado se ha detenido: recarga la página para empezar de nuevo.");
	}
	emulator.add_listener("serial0-output-byte", function (byte) {
		if (pending.length === 0)
			setTimeout(flush, 10);
		pending.push(byte);
	});
	term.onData(function (data) {
		emulator.serial0_send(data);
	});
	lab.emulator = emulator;
}

start().catch(function (error) {
	setStatus("The lab could not start / El laboratorio no pudo arrancar: " + error);
});
