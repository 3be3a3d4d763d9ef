// SPDX-License-Identifier: GPL-2.0
// make test-web's second check: the guest that make web's boot.json names,
// booted by v86 in Node, with no browser. As tests/web/chromium.py: waits
// for the prompt, types each COMMAND, waits for the next prompt; the whole
// console goes to LOG, one "# time ..." line per step to stdout
// (tests/web/test.sh judges them). Exits 1 if a prompt never came.
// Usage: SHMDEMO_V86_MODULE=.../libv86.mjs node tests/web/node.mjs SITE LOG TIMEOUT COMMAND...
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [site, log, timeoutText, ...commands] = process.argv.slice(2);
const timeout = Number(timeoutText) * 1000;
const boot = JSON.parse(readFileSync(join(site, "boot.json"), "utf8"));
// The site has v86's script for browsers; Node takes its module, from the
// same npm package (tests/web/npm.sh v86).
const { V86 } = await import(process.env.SHMDEMO_V86_MODULE);
// busybox ash's prompt (tests/guest/init.c), then its cursor query.
const prompt = /guest:\/root# (\x1b\[6n)?$/;

function image(path) {
	const data = readFileSync(join(site, path));
	return { buffer: data.buffer.slice(data.byteOffset, data.byteOffset + data.length) };
}

let output = "";
const decoder = new TextDecoder();
const emulator = new V86({
	wasm_path: join(site, boot.wasm),
	memory_size: boot.memory_mb * 1024 * 1024,
	vga_memory_size: 2 * 1024 * 1024,
	bios: image(boot.bios),
	vga_bios: image(boot.vga_bios),
	bzimage: image(boot.kernel),
	// A .zst file: v86 unpacks it, into initrd_size bytes, as in the page.
	initrd: { url: join(site, boot.initrd), size: boot.initrd_size },
	cmdline: boot.cmdline,
	autostart: true,
	disable_keyboard: true,
	disable_mouse: true,
	disable_speaker: true,
});
emulator.add_listener("serial0-output-byte", function (byte) {
	output += decoder.decode(Uint8Array.of(byte), { stream: true });
});

function waitPrompt(since) {
	const deadline = Date.now() + timeout;
	return new Promise(function (resolve) {
		const poll = setInterval(function () {
			if (output.length > since && prompt.test(output)) {
				clearInterval(poll);
				resolve(true);
			} else if (Date.now() > deadline) {
				clearInterval(poll);
				resolve(false);
			}
		}, 50);
	});
}

let status = 0;
let start = Date.now();
if (await waitPrompt(0)) {
	console.log("# time prompt " + ((Date.now() - start) / 1000).toFixed(1));
	for (const command of commands) {
		const since = output.length;
		start = Date.now();
		emulator.serial0_send(command + "\r");
		if (!(await waitPrompt(since))) {
			console.log("# time never " + command);
			status = 1;
			break;
		}
		console.log("# time " + ((Date.now() - start) / 1000).toFixed(2) + " " + command);
	}
} else {
	console.log("# time prompt never (" + timeoutText + " s)");
	status = 1;
}
writeFileSync(log, output);
emulator.destroy();
process.exit(status);
