// SPDX-License-Identifier: GPL-2.0
/*
 * seed_demo - the original exercise, the baseline user_demo is timed
 * against: a parent and its child share a page of MAP_SHARED |
 * MAP_ANONYMOUS memory; the parent writes a message, the child prints it.
 *
 * Kept as it was written, race included: nothing makes the child wait for
 * the parent's write, so it may print an empty message. One addition, for
 * make race: the message may be given as the first argument.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIZE 4096

int main(int argc, char **argv)
{
	const char *message = argc > 1 ? argv[1] : "Hello, child process!";
	char *shared_memory;
	pid_t pid;

	shared_memory = mmap(NULL, SIZE, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared_memory == MAP_FAILED) {
		perror("mmap");
		exit(EXIT_FAILURE);
	}

	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(EXIT_FAILURE);
	} else if (pid == 0) {
		printf("Child reads: %s\n", shared_memory);
		munmap(shared_memory, SIZE);
		exit(EXIT_SUCCESS);
	} else {
		strcpy(shared_memory, message);
		wait(NULL);
		munmap(shared_memory, SIZE);
	}

	return 0;
}
