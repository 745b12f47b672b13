/* holes: fragments glibc's heap. Short-lived 256-byte buffers are allocated with a
 * long-lived 48-byte record every 16th step, then the buffers are freed. glibc keeps
 * both sizes in one heap, so each freed run becomes a ~4 KiB hole pinned between
 * records; the 6000-byte blocks allocated next do not fit in any hole and the heap
 * grows. Allocators that keep each size class on its own pages (jemalloc, tcmalloc,
 * mimalloc) free whole pages of buffers and reuse them for the big blocks.
 * It exits holding its memory, as many programs do, so allocator statistics printed
 * at exit describe the peak.
 *   holes [MiB]     (default 64: about that much in each phase)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  long mib = argc > 1 ? atol(argv[1]) : 64;
  if (mib < 1) {
    fprintf(stderr, "usage: holes [MiB]\n");
    return 2;
  }
  long buffers = (mib << 20) / 256;
  void **temp = calloc((size_t)buffers, sizeof *temp);
  void **records = calloc((size_t)buffers / 16 + 1, sizeof *records);
  long kept = 0;
  for (long i = 0; i < buffers; i++) {
    temp[i] = malloc(256);
    memset(temp[i], 1, 256);
    if (i % 16 == 15) {
      records[kept] = malloc(48);
      memset(records[kept++], 3, 48);
    }
  }
  for (long i = 0; i < buffers; i++) free(temp[i]);
  long blocks = (mib << 20) / 6000;
  void **big = calloc((size_t)blocks, sizeof *big);
  for (long i = 0; i < blocks; i++) {
    big[i] = malloc(6000);
    memset(big[i], 2, 6000);
  }
  printf("holes: %ld records kept, %ld blocks of 6000 bytes\n", kept, blocks);
  return 0;
}
