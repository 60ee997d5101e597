/* SPDX-License-Identifier: MIT */
/*
 * sdmpi.h - sdcp-mpi: sdcp's jobs run by the ranks of an MPI job.
 *
 *   main.c    MPI start and end, the operands, the loop every rank runs, --stats
 *   queue.c   the work items: a local deque, work stealing, chunks dealt round the ranks,
 *             completion counts over messages
 *   run.c     what an item does: make and read a folder (sdcp's walk_dir_open and
 *             walk_dir_read), copy a file (sdcp's job_file), make a node (walk_node)
 *   big.c     a large file: opened once (job_open), its chunks copied by any rank (job_copy),
 *             finished once (job_finish)
 *   tally.c   --progress: the ranks' counts summed on rank 0, sdcp's count of the whole there
 *   stop.c    after a signal, the ranks of a machine die together, their files removed
 *
 * sdcp's sources but its main.c are compiled in as they are (sdcp_sources); each rank runs
 * one job at a time, inline (work.c with no threads).
 *
 * Completion: every item names a record (rank, id) that waits for it: the directory it was
 * found in, or the large file it is a chunk of. A record counts what it waits for; at zero it
 * finishes (the directory's metadata, times last; the file's metadata) and tells its own
 * record in turn. The root record on rank 0 waits for the operands: when it finishes, all is
 * done, and rank 0 tells every rank to stop.
 */
#ifndef SDMPI_H
#define SDMPI_H

#include <stdint.h>
#include <sys/stat.h>

#include "../sdcp/sdcp.h"

enum item_kind { ITEM_DIR = 1, ITEM_FILE, ITEM_NODE, ITEM_CHUNK };

/* A work item as it travels: fixed fields, then four NUL-terminated strings. */
struct item {
	uint32_t size; /* of the whole item, strings included */
	uint8_t kind;
	uint8_t top;	/* an operand: follow it as -H says, its parent is sdcp's root */
	uint8_t pinned; /* must run on this rank (hard links are matched here) */
	uint8_t pad;
	int32_t owner;	   /* the record that waits for this item: rank ... */
	uint64_t id;	   /* ... and id there */
	uint64_t off, len; /* a chunk */
	uint64_t top_dev;  /* -x */
	struct stat st;
	/*
	 * sdir, ddir: the parent's display paths ("" for sdcp's root, the operands' parent);
	 * sname, dname: the names in it. A chunk: sdir and ddir are the files' paths.
	 */
	char s[];
};

const char *item_sdir(const struct item *it);
const char *item_ddir(const struct item *it);
const char *item_sname(const struct item *it);
const char *item_dname(const struct item *it);
struct item *item_new(int kind, const char *sdir, const char *ddir, const char *sname,
		      const char *dname);

/* --- queue.c --- */
extern int my_rank, nranks;
struct done_stats {
	int32_t err;
	uint64_t bytes[SPLICE_DIRECT_METHODS];
	uint64_t holes;
};
/* A record: something that waits for items. */
struct record {
	struct record *next; /* hash chain */
	uint64_t id;
	uint64_t pending;
	int32_t parent_owner; /* whom to tell when it is finished */
	uint64_t parent_id;
	void (*finish)(struct record *r);
	void (*child_done)(struct record *r, const struct done_stats *s); /* or NULL */
};
void record_add(struct record *r, int parent_owner, uint64_t parent_id);
struct record *record_find(uint64_t id);
void record_release(struct record *r, const struct done_stats *s); /* one pending fewer */

void queue_push(struct item *it);	    /* this rank's deque */
void queue_send(int rank, struct item *it); /* a pinned item for another rank */
/* items[k] to rank (my_rank + k) % nranks, one message per rank; they may still be stolen */
void queue_deal(struct item **items, size_t n);
void item_done(const struct item *it, const struct done_stats *s);
void queue_loop(void (*run)(struct item *it));
void queue_stop_all(void); /* rank 0, when the root finished */
extern uint64_t stat_stolen, stat_chunks, stat_items, stat_sent;
/* --progress: what a rank reports (tally.c) */
enum { T_MOVED, T_SHARED, T_HOLES, T_ENDED, T_PASSED, T_N };
extern uint64_t (*rank_totals)[T_N]; /* rank 0: the last --progress report of each rank */
void queue_report_totals(const uint64_t v[T_N]);

/* --- run.c --- */
void run_item(struct item *it);
void run_cleanup(void);
struct dir *dir_for(const struct item *it); /* the parent of an item; a reference to put */

/* --- big.c --- */
void big_start(struct dir *d, struct item *it);
void big_chunk(struct item *it);
void big_cleanup(void);

/* --- tally.c: --progress --- */
/* rank 0 counts the whole in a thread of its own, if threads is set (start_each's operands) */
void tally_start(const char *target, int n, char *const *ops, int threads);
void progress_tick(void); /* this rank's counts to rank 0, twice a second; rank 0's line */
void tally_end(void);	  /* every rank, after the loop: the last line, from exact sums */

/* --- stop.c: after a signal, a rank dies when its siblings have removed their files too --- */
void stop_start(void);
void stop_end(void); /* before MPI_Finalize */

#endif /* SDMPI_H */
