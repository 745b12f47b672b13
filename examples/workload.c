/* workload: a small, deterministic, single-threaded program for the CI memory gate
 * (`allocrun ci`). It builds a table of named records, shrinks its index with realloc,
 * frees most records and keeps one in ten until exit, so every deterministic metric
 * (allocation count, bytes allocated, peak live heap, bytes live at exit) follows its size.
 *   workload [percent]   amount of work in percent of the base (default WORKLOAD_PERCENT)
 * The "regressed" variant that allocates 10% more: build with -DWORKLOAD_PERCENT=110
 * (or run `workload 110`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef WORKLOAD_PERCENT
#define WORKLOAD_PERCENT 100
#endif

#define BASE_RECORDS 2000

struct record {
  long id;
  char *name;
};

__attribute__((noinline)) static struct record *make_record(long id) {
  struct record *r = malloc(sizeof *r);
  size_t length = 16 + (size_t)(id % 48);
  r->id = id;
  r->name = malloc(length + 1);
  memset(r->name, 'a' + (int)(id % 26), length);
  r->name[length] = '\0';
  return r;
}

int main(int argc, char **argv) {
  long percent = argc > 1 ? atol(argv[1]) : WORKLOAD_PERCENT;
  if (percent < 1 || percent > 100000) {
    fprintf(stderr, "usage: workload [percent]\n");
    return 2;
  }
  long count = BASE_RECORDS * percent / 100;
  struct record **index = malloc((size_t)count * sizeof *index);
  unsigned long checksum = 0;
  for (long i = 0; i < count; i++) {
    index[i] = make_record(i);
    checksum += strlen(index[i]->name);
  }
  /* Keep one record in ten until exit (still reachable), free the rest. */
  long kept = 0;
  for (long i = 0; i < count; i++) {
    if (i % 10 == 0) {
      index[kept++] = index[i];
      continue;
    }
    free(index[i]->name);
    free(index[i]);
  }
  index = realloc(index, (size_t)kept * sizeof *index);
  printf("workload: %ld records, %ld kept, checksum %lu\n", count, kept, checksum);
  return 0;
}
