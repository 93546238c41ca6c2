/* vm_readv: the raw baseline for heap walks (bench/heap-baseline.bench.ts): how fast the bytes of a
 * process's heaps can merely be copied out of it with process_vm_readv, the call the walker reads
 * them with, in the walker's own way (one reused 1 MiB buffer, a window at a time).
 *
 *   vm_readv PID START-END [START-END ...] [--repeat N] [--window BYTES]
 *
 * Reads every range (hex addresses) N times (default 5) after one untimed pass, and prints
 *   {"bytes":B,"bestNs":T,"bytesPerSecond":R,"repeats":N,"window":W}
 * where B is the bytes of one pass and T the fastest pass. Exits 1 when a read fails. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

struct range {
  uint64_t start, end;
};

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t pass(pid_t pid, const struct range *ranges, int n, char *buffer, size_t window) {
  uint64_t total = 0;
  for (int i = 0; i < n; i++) {
    for (uint64_t at = ranges[i].start; at < ranges[i].end;) {
      size_t want = ranges[i].end - at < window ? (size_t)(ranges[i].end - at) : window;
      struct iovec local = {buffer, want};
      struct iovec remote = {(void *)(uintptr_t)at, want};
      ssize_t got = process_vm_readv(pid, &local, 1, &remote, 1, 0);
      if (got <= 0) {
        fprintf(stderr, "vm_readv: process_vm_readv(%d, 0x%llx, %zu): %s\n", (int)pid, (unsigned long long)at, want,
                got < 0 ? strerror(errno) : "nothing read");
        exit(1);
      }
      total += (uint64_t)got;
      at += (uint64_t)got;
    }
  }
  return total;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: vm_readv PID START-END [START-END ...] [--repeat N] [--window BYTES]\n");
    return 2;
  }
  pid_t pid = (pid_t)atoi(argv[1]);
  int repeats = 5;
  size_t window = 1 << 20;
  struct range ranges[256];
  int n = 0;
  for (int i = 2; i < argc; i++) {
    if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
      repeats = atoi(argv[++i]);
    } else if (strcmp(argv[i], "--window") == 0 && i + 1 < argc) {
      window = (size_t)strtoull(argv[++i], NULL, 10);
    } else if (n < 256) {
      char *dash;
      ranges[n].start = strtoull(argv[i], &dash, 16);
      ranges[n].end = *dash == '-' ? strtoull(dash + 1, NULL, 16) : 0;
      if (ranges[n].end <= ranges[n].start) {
        fprintf(stderr, "vm_readv: bad range %s\n", argv[i]);
        return 2;
      }
      n++;
    }
  }
  if (repeats < 1 || window < 4096) return 2;
  char *buffer = malloc(window);
  if (!buffer) return 1;
  memset(buffer, 0, window); /* fault the buffer in first: the walker reuses a warm one too */
  uint64_t bytes = pass(pid, ranges, n, buffer, window);
  uint64_t best = UINT64_MAX;
  for (int r = 0; r < repeats; r++) {
    uint64_t t0 = now_ns();
    pass(pid, ranges, n, buffer, window);
    uint64_t t = now_ns() - t0;
    if (t < best) best = t;
  }
  printf("{\"bytes\":%llu,\"bestNs\":%llu,\"bytesPerSecond\":%.0f,\"repeats\":%d,\"window\":%zu}\n", (unsigned long long)bytes,
         (unsigned long long)best, (double)bytes * 1e9 / (double)best, repeats, window);
  return 0;
}
