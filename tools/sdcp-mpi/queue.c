/* SPDX-License-Identifier: MIT */
/*
 * queue.c - the work items of one rank and the messages between ranks.
 *
 * Each rank keeps its items in a deque: it pops the newest (depth first, so that what it
 * opened is what it works in), and an idle rank steals the oldest half of the folders and
 * files from a random victim (the oldest are the biggest: whole folders found early). The
 * chunks of a large file are dealt round the ranks when the file is opened, and stolen one
 * at a time: so one huge folder or one huge file still spreads over every rank, and the
 * bytes each rank moves stay close to an equal share, which time-balanced stealing alone
 * does not give (a rank busy with small files moves few bytes in the same time).
 *
 * A rank answers messages between two jobs; it never blocks in MPI (every send is an
 * Isend, tested later), so two ranks that send to each other cannot wait on each other.
 * Completions for another rank's records are batched: one message carries many.
 */
#include <errno.h>
#include <mpi.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sdmpi.h"

enum { TAG_STEAL = 1, TAG_ITEMS, TAG_GIVE, TAG_DONE, TAG_STOP, TAG_TOTALS };

int my_rank, nranks;
uint64_t stat_stolen, stat_chunks, stat_items, stat_sent;
uint64_t (*rank_totals)[T_N]; /* rank 0: the last --progress report of each rank */

/* --- items --- */
static const char *nth(const struct item *it, int n)
{
	const char *p = it->s;

	while (n--)
		p += strlen(p) + 1;
	return p;
}

const char *item_sdir(const struct item *it)
{
	return nth(it, 0);
}

const char *item_ddir(const struct item *it)
{
	return nth(it, 1);
}

const char *item_sname(const struct item *it)
{
	return nth(it, 2);
}

const char *item_dname(const struct item *it)
{
	return nth(it, 3);
}

struct item *item_new(int kind, const char *sdir, const char *ddir, const char *sname,
		      const char *dname)
{
	const char *str[4] = {sdir ? sdir : "", ddir ? ddir : "", sname, dname};
	size_t len[4], total = sizeof(struct item);
	struct item *it;
	char *p;

	for (int i = 0; i < 4; i++) {
		len[i] = strlen(str[i]) + 1;
		total += len[i];
	}
	total = (total + 7) & ~(size_t)7; /* items are packed back to back in messages */
	it = xmalloc(total);
	memset(it, 0, sizeof(*it));
	it->size = total;
	it->kind = kind;
	p = it->s;
	for (int i = 0; i < 4; i++) {
		memcpy(p, str[i], len[i]);
		p += len[i];
	}
	return it;
}

/* --- the deque: [bottom, top) in a ring --- */
static struct item **ring;
static size_t ring_cap, bottom, count;
static struct item **pins; /* pinned items, in order */
static size_t pins_len, pins_cap, pins_first;

void queue_push(struct item *it)
{
	if (it->pinned) {
		if (pins_len == pins_cap) {
			pins_cap = pins_cap ? pins_cap * 2 : 64;
			pins = realloc(pins, pins_cap * sizeof(*pins));
			if (!pins) {
				say(ENOMEM, "memory exhausted");
				MPI_Abort(MPI_COMM_WORLD, 1);
			}
		}
		pins[pins_len++] = it;
		return;
	}
	if (count == ring_cap) {
		size_t cap = ring_cap ? ring_cap * 2 : 1024;
		struct item **r = xmalloc(cap * sizeof(*r));

		for (size_t i = 0; i < count; i++)
			r[i] = ring[(bottom + i) % ring_cap];
		free(ring);
		ring = r;
		ring_cap = cap;
		bottom = 0;
	}
	ring[(bottom + count++) % ring_cap] = it;
}

/* A dealt chunk: below everything else, so that the rank copies its share of large files
 * last, when the bytes others moved tell whether a chunk should go to them (give()). */
static void push_bottom(struct item *it)
{
	queue_push(it); /* grows the ring when it is full */
	count--;
	bottom = (bottom + ring_cap - 1) % ring_cap;
	ring[bottom] = it;
	count++;
}

static struct item *pop_top(void)
{
	if (pins_first < pins_len) {
		struct item *it = pins[pins_first++];

		if (pins_first == pins_len)
			pins_first = pins_len = 0;
		return it;
	}
	if (!count)
		return NULL;
	count--;
	return ring[(bottom + count) % ring_cap];
}

/* --- sends: all nonblocking; a buffer is freed when MPI is done with it --- */
struct sending {
	struct sending *next;
	MPI_Request req;
	char buf[];
};
static struct sending *sends;

static void send_bytes(int rank, int tag, const void *buf, size_t n)
{
	struct sending *s = xmalloc(sizeof(*s) + (n ? n : 1));

	memcpy(s->buf, buf, n);
	stat_sent++;
	MPI_Isend(s->buf, (int)n, MPI_BYTE, rank, tag, MPI_COMM_WORLD, &s->req);
	s->next = sends;
	sends = s;
}

static void test_sends(void)
{
	for (struct sending **p = &sends; *p;) {
		int flag = 0;

		MPI_Test(&(*p)->req, &flag, MPI_STATUS_IGNORE);
		if (flag) {
			struct sending *s = *p;

			*p = s->next;
			free(s);
		} else {
			p = &(*p)->next;
		}
	}
}

void queue_send(int rank, struct item *it)
{
	if (rank == my_rank) {
		queue_push(it);
		return;
	}
	send_bytes(rank, TAG_GIVE, it, it->size);
	free(it);
}

void queue_deal(struct item **items, size_t n)
{
	for (size_t j = 0; j < (size_t)nranks && j < n; j++) {
		int rank = (my_rank + j) % nranks;
		size_t bytes = 0;
		char *buf;

		if (rank == my_rank) {
			for (size_t k = j; k < n; k += nranks)
				push_bottom(items[k]);
			continue;
		}
		for (size_t k = j; k < n; k += nranks)
			bytes += items[k]->size;
		buf = xmalloc(bytes);
		bytes = 0;
		for (size_t k = j; k < n; k += nranks) {
			memcpy(buf + bytes, items[k], items[k]->size);
			bytes += items[k]->size;
			free(items[k]);
		}
		send_bytes(rank, TAG_GIVE, buf, bytes);
		free(buf);
	}
}

/* --- records --- */
#define RECORD_BUCKETS 4096
static struct record *records[RECORD_BUCKETS];
static uint64_t next_id = 1;

void record_add(struct record *r, int parent_owner, uint64_t parent_id)
{
	r->id = next_id++;
	r->parent_owner = parent_owner;
	r->parent_id = parent_id;
	r->next = records[r->id % RECORD_BUCKETS];
	records[r->id % RECORD_BUCKETS] = r;
}

struct record *record_find(uint64_t id)
{
	for (struct record *r = records[id % RECORD_BUCKETS]; r; r = r->next)
		if (r->id == id)
			return r;
	return NULL;
}

static void record_remove(struct record *r)
{
	for (struct record **p = &records[r->id % RECORD_BUCKETS]; *p; p = &(*p)->next) {
		if (*p == r) {
			*p = r->next;
			return;
		}
	}
}

/* --- completions: (record id, what the item did), batched per owner --- */
struct done_msg {
	uint64_t id;
	struct done_stats s;
};
#define DONE_BATCH 256
static struct done_msg **done_buf; /* per rank */
static int *done_len;
static struct timespec last_flush;

static void flush_done(int rank)
{
	if (!done_len[rank])
		return;
	send_bytes(rank, TAG_DONE, done_buf[rank], done_len[rank] * sizeof(struct done_msg));
	done_len[rank] = 0;
}

static void done_to(int owner, uint64_t id, const struct done_stats *s)
{
	static const struct done_stats none;

	if (owner == my_rank) {
		struct record *r = record_find(id);

		if (!r) {
			say(0, "internal error: rank %d has no record %llu", my_rank,
			    (unsigned long long)id);
			MPI_Abort(MPI_COMM_WORLD, 1);
		}
		record_release(r, s);
		return;
	}
	/* made on first use: a rank reports to the few ranks it stole from, not to all */
	if (!done_buf[owner])
		done_buf[owner] = xmalloc(DONE_BATCH * sizeof(struct done_msg));
	done_buf[owner][done_len[owner]].id = id;
	done_buf[owner][done_len[owner]].s = s ? *s : none;
	if (++done_len[owner] == DONE_BATCH)
		flush_done(owner);
}

void record_release(struct record *r, const struct done_stats *s)
{
	if (s && r->child_done)
		r->child_done(r, s);
	if (--r->pending)
		return;
	record_remove(r);
	int owner = r->parent_owner;
	uint64_t id = r->parent_id;

	r->finish(r); /* frees r */
	if (owner >= 0)
		done_to(owner, id, NULL);
}

void item_done(const struct item *it, const struct done_stats *s)
{
	done_to(it->owner, it->id, s);
}

/* --- the loop --- */
static int stopped, steal_out;

void queue_stop_all(void)
{
	for (int r = 0; r < nranks; r++)
		if (r != my_rank)
			send_bytes(r, TAG_STOP, "", 0);
	stopped = 1;
}

/* The bytes a chunk item stands for: the last one runs to the end of the file. */
static uint64_t chunk_bytes(const struct item *it)
{
	if (it->len != UINT64_MAX)
		return it->len;
	return (uint64_t)it->st.st_size > it->off ? (uint64_t)it->st.st_size - it->off : 0;
}

/*
 * To a thief that has moved `moved` bytes: half of the oldest items but chunks (folders and
 * small files: balanced by time, whoever is idle takes them). When only chunks are left, one
 * of them, and only if that leaves the thief with no more bytes than we shall have moved:
 * chunks were dealt evenly (queue_deal), and they are what keeps the bytes each rank moves
 * close to an equal share, which time-balanced stealing alone does not (a rank busy with
 * small files moves few bytes in the same time). Nothing, if there is nothing to give.
 */
static void give(int thief, uint64_t moved)
{
	size_t others = 0, n, bytes = 0, taken = 0, kept = 0;
	uint64_t ours = totals.bytes;
	char *buf;

	for (size_t i = 0; i < count; i++) {
		const struct item *it = ring[(bottom + i) % ring_cap];

		if (it->kind != ITEM_CHUNK)
			others++;
		else
			ours += chunk_bytes(it);
	}
	if (others)
		n = others < 1024 ? (others + 1) / 2 : 512;
	else
		n = count && moved + chunk_bytes(ring[bottom]) <= ours;
	for (size_t i = 0; i < count; i++) {
		struct item *it = ring[(bottom + i) % ring_cap];

		if (taken < n && (it->kind != ITEM_CHUNK || !others)) {
			bytes += it->size;
			taken++;
		}
	}
	buf = xmalloc(bytes ? bytes : 1);
	bytes = taken = 0;
	for (size_t i = 0; i < count; i++) {
		struct item *it = ring[(bottom + i) % ring_cap];

		if (taken < n && (it->kind != ITEM_CHUNK || !others)) {
			memcpy(buf + bytes, it, it->size);
			bytes += it->size;
			taken++;
			free(it);
		} else {
			ring[(bottom + kept++) % ring_cap] = it;
		}
	}
	count = kept;
	send_bytes(thief, TAG_ITEMS, buf, bytes);
	free(buf);
}

static void take(const char *buf, size_t n, int stolen)
{
	for (size_t off = 0; off + sizeof(struct item) <= n;) {
		const struct item *src = (const struct item *)(buf + off);
		struct item *it = xmalloc(src->size);

		memcpy(it, src, src->size);
		off += src->size;
		if (it->kind == ITEM_CHUNK && !stolen)
			push_bottom(it); /* dealt */
		else
			queue_push(it);
		stat_stolen += stolen;
	}
}

static void handle(int source, int tag, char *buf, int n)
{
	switch (tag) {
	case TAG_STEAL:
		if (!stopped && n == sizeof(uint64_t))
			give(source, *(uint64_t *)buf);
		break;
	case TAG_ITEMS:
		steal_out = 0;
		take(buf, n, 1);
		break;
	case TAG_GIVE:
		take(buf, n, 0);
		break;
	case TAG_DONE:
		for (size_t i = 0; i < n / sizeof(struct done_msg); i++) {
			struct done_msg *d = (struct done_msg *)buf + i;

			done_to(my_rank, d->id, &d->s);
		}
		break;
	case TAG_STOP:
		stopped = 1;
		break;
	case TAG_TOTALS:
		if (rank_totals && n == sizeof(rank_totals[0]))
			memcpy(rank_totals[source], buf, n);
		break;
	}
}

/* Receive what has arrived; returns how many messages. */
static int poll_messages(void)
{
	int got = 0;

	for (;;) {
		MPI_Status st;
		int flag = 0, n;
		char *buf;

		MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
		if (!flag)
			break;
		MPI_Get_count(&st, MPI_BYTE, &n);
		buf = xmalloc(n ? n : 1);
		MPI_Recv(buf, n, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD,
			 MPI_STATUS_IGNORE);
		handle(st.MPI_SOURCE, st.MPI_TAG, buf, n);
		free(buf);
		got++;
	}
	test_sends();
	return got;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void flush_all(void)
{
	for (int r = 0; r < nranks; r++)
		flush_done(r);
	clock_gettime(CLOCK_MONOTONIC, &last_flush);
}

void queue_loop(void (*run)(struct item *it))
{
	unsigned int seed = 0x9e3779b9u * (my_rank + 1);
	double last = now(), idle_since = 0;
	long nap = 0;

	done_buf = calloc(nranks, sizeof(*done_buf));
	done_len = calloc(nranks, sizeof(*done_len));
	if (!done_buf || !done_len) {
		say(ENOMEM, "memory exhausted");
		MPI_Abort(MPI_COMM_WORLD, 1);
	}
	clock_gettime(CLOCK_MONOTONIC, &last_flush);

	while (!stopped) {
		struct item *it;

		poll_messages();
		it = pop_top();
		if (it) {
			double t;

			nap = 0;
			stat_items++;
			run(it);
			free(it);
			/* others wait for these: never sit on them for long */
			t = now();
			if (t - last > 0.02) {
				flush_all();
				last = t;
			}
			progress_tick();
			continue;
		}
		flush_all();
		progress_tick();
		if (stopped)
			break;
		if (nranks > 1 && !steal_out) {
			int victim = rand_r(&seed) % (nranks - 1);

			if (victim >= my_rank)
				victim++;
			uint64_t moved = totals.bytes;

			send_bytes(victim, TAG_STEAL, &moved, sizeof(moved));
			steal_out = 1;
			idle_since = now();
		}
		/* idle ranks must not spin: the cores copy for the others */
		if (!poll_messages()) {
			struct timespec ts = {0, nap * 1000};

			nanosleep(&ts, NULL);
			nap = nap ? (nap < 2000 ? nap * 2 : 2000) : 50;
		} else {
			nap = 0;
		}
		(void)idle_since;
	}
	flush_all();
	/* Finish what we sent, answering nobody; then wait for everyone to get here. */
	while (sends)
		poll_messages();
	{
		MPI_Request req;
		int flag = 0;

		MPI_Ibarrier(MPI_COMM_WORLD, &req);
		while (!flag) {
			struct timespec ts = {0, 200000};

			MPI_Test(&req, &flag, MPI_STATUS_IGNORE);
			if (!flag) {
				poll_messages();
				nanosleep(&ts, NULL);
			}
		}
	}
	poll_messages();
	for (int r = 0; r < nranks; r++)
		free(done_buf[r]);
	free(done_buf);
	free(done_len);
	free(ring);
	free(pins);
}

/* --progress: every rank reports its counts to rank 0 now and then. */
void queue_report_totals(const uint64_t v[T_N])
{
	if (my_rank == 0)
		memcpy(rank_totals[0], v, sizeof(rank_totals[0]));
	else
		send_bytes(0, TAG_TOTALS, v, T_N * sizeof(uint64_t));
}
