// Option names the allocators accept, to warn about typos before the allocator silently
// skips them. jemalloc 5.3: every key below was checked against libjemalloc.so.2 on
// Debian 12 (an unknown key prints "Invalid conf pair", a known one with a bad value
// "Invalid conf value"); utrace, xmalloc and lg_san_uaf_align exist only in builds
// configured with them. glibc 2.36: `ld.so --list-tunables`.

export const JEMALLOC_OPTIONS: readonly string[] = [
  "abort", "abort_conf", "cache_oblivious", "confirm_conf", "trust_madvise", "retain", "dss",
  "narenas", "narenas_ratio", "percpu_arena", "oversize_threshold", "bin_shards", "slab_sizes",
  "hpa", "hpa_slab_max_alloc", "hpa_hugification_threshold", "hpa_hugification_threshold_ratio",
  "hpa_hugify_delay_ms", "hpa_min_purge_interval_ms", "hpa_dirty_mult", "hpa_sec_nshards",
  "hpa_sec_max_alloc", "hpa_sec_max_bytes", "hpa_sec_bytes_after_flush", "hpa_sec_batch_fill_extra",
  "metadata_thp", "mutex_max_spin", "background_thread", "max_background_threads",
  "dirty_decay_ms", "muzzy_decay_ms", "lg_extent_max_active_fit", "junk", "zero", "zero_realloc",
  "utrace", "xmalloc", "experimental_infallible_new",
  "tcache", "tcache_max", "lg_tcache_max", "tcache_nslots_small_min", "tcache_nslots_small_max",
  "tcache_nslots_large", "lg_tcache_nslots_mul", "tcache_gc_incr_bytes", "tcache_gc_delay_bytes",
  "lg_tcache_flush_small_div", "lg_tcache_flush_large_div", "thp",
  "san_guard_small", "san_guard_large", "lg_san_uaf_align",
  "prof", "prof_prefix", "prof_active", "prof_thread_active_init", "lg_prof_sample", "prof_accum",
  "lg_prof_interval", "prof_gdump", "prof_final", "prof_leak", "prof_leak_error", "prof_log",
  "prof_recent_alloc_max", "prof_stats", "prof_sys_thread_name", "prof_time_resolution", "prof_unbias",
  "stats_print", "stats_print_opts", "stats_interval", "stats_interval_opts",
];

/** glibc.malloc.* tunables (without the prefix). */
export const GLIBC_MALLOC_TUNABLES: readonly string[] = [
  "arena_max", "arena_test", "check", "hugetlb", "mmap_max", "mmap_threshold", "mxfast", "perturb",
  "tcache_count", "tcache_max", "tcache_unsorted_limit", "top_pad", "trim_threshold",
];
