/* rjem-prefixed: allocates through a jemalloc built with --with-jemalloc-prefix=_rjem_,
 * the way Rust's tikv-jemallocator embeds it: the program's own heap goes to the
 * embedded copy (configured by _RJEM_MALLOC_CONF), libc's malloc serves the rest.
 * Linked against that static library by the allocrun doctor tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *_rjem_malloc(size_t size);
void _rjem_free(void *ptr);

int main(void) {
  void *blocks[1000];
  for (int i = 0; i < 1000; i++) {
    blocks[i] = _rjem_malloc(256);
    memset(blocks[i], i & 0xff, 256);
  }
  for (int i = 0; i < 1000; i++) _rjem_free(blocks[i]);
  free(malloc(64)); /* the libc side */
  printf("rjem-prefixed: 1000 blocks through the embedded jemalloc\n");
  return 0;
}
