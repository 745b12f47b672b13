/* fragment: allocates many small blocks, frees all but every 16th, then allocates
 * larger blocks that cannot reuse the holes. glibc keeps the sparse pages resident;
 * allocators with size-segregated pages usually return more.
 *   fragment [count]     (default 400000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  long count = argc > 1 ? atol(argv[1]) : 400000;
  void **blocks = calloc((size_t)count, sizeof *blocks);
  for (long i = 0; i < count; i++) {
    blocks[i] = malloc(200 + (i % 7) * 8);
    memset(blocks[i], 1, 200);
  }
  for (long i = 0; i < count; i++)
    if (i % 16) { free(blocks[i]); blocks[i] = NULL; }
  long big = count / 64;
  void **large = calloc((size_t)big, sizeof *large);
  for (long i = 0; i < big; i++) {
    large[i] = malloc(4000);
    memset(large[i], 2, 4000);
  }
  long live = 0;
  for (long i = 0; i < count; i++) live += blocks[i] != NULL;
  printf("fragment: %ld small blocks kept, %ld large\n", live, big);
  return 0;
}
