/* peak: touches a block of memory, frees it, and exits; with "late" it reaches its
 * peak in the last moment before exit, which polling /proc tends to miss.
 *   peak [MiB] [early|late] [exit-code]     (defaults 64 early 0)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Published through a volatile pointer so the compiler cannot drop malloc/free. */
static char *volatile sink;

static void touch_and_free(size_t bytes) {
  char *p = malloc(bytes);
  sink = p;
  if (!p) { perror("malloc"); exit(3); }
  for (size_t i = 0; i < bytes; i += 4096) p[i] = (char)i;
  free(p);
}

int main(int argc, char **argv) {
  long mib = argc > 1 ? atol(argv[1]) : 64;
  int late = argc > 2 && strcmp(argv[2], "late") == 0;
  int code = argc > 3 ? atoi(argv[3]) : 0;
  size_t bytes = (size_t)mib << 20;
  if (!late) {
    touch_and_free(bytes);
    usleep(100 * 1000); /* settle well above any sampling interval */
  } else {
    usleep(100 * 1000);
    touch_and_free(bytes);
  }
  return code;
}
