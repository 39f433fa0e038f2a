/*
 * tsprobe's hidapi bridge: a small library with the hidapi C API (the functions Debian's
 * OpenOCD 0.12 and the python `hid` module 0.9 import) that presents tsprobe's CMSIS-DAP
 * device, served over TCP by `tsprobe dap`, as one USB HID device. Loaded with
 * LD_PRELOAD, its symbols take the place of libhidapi's, so unmodified hosts that only
 * speak USB HID drive tsprobe.
 *
 * Written for tsprobe from hidapi's documented public API (hidapi.h); no hidapi code.
 *
 * Environment:
 *   TSPROBE_DAP_ADDR   host:port of `tsprobe dap` (default 127.0.0.1:4441)
 *   TSPROBE_HID_VID    vendor ID to present (default 0x1209, pid.codes)
 *   TSPROBE_HID_PID    product ID to present (default 0x0001, a pid.codes test ID)
 *   TSPROBE_HID_SERIAL serial number string (default TSPROBE0001)
 *   TSPROBE_HID_REPORT input report size in bytes (default 64)
 *   TSPROBE_HID_DEBUG  1: log every report on stderr
 *
 * The device: manufacturer "tsprobe", product "tsprobe CMSIS-DAP", usage page 0xFF00,
 * path "tsprobe:<host:port>". hid_write takes report ID 0 plus a CMSIS-DAP request and
 * sends it as one frame of upstream OpenOCD's `cmsis-dap backend tcp` framing (8-byte
 * header: u32 0x00504144, u16 length, u8 type 1, u8 0); every response frame is one
 * input report, zero-padded to the report size as a HID device's reports are.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

/* ---- the public hidapi types (layout as in hidapi.h 0.13) ---- */

struct hid_device_info {
	char *path;
	unsigned short vendor_id;
	unsigned short product_id;
	wchar_t *serial_number;
	unsigned short release_number;
	wchar_t *manufacturer_string;
	wchar_t *product_string;
	unsigned short usage_page;
	unsigned short usage;
	int interface_number;
	struct hid_device_info *next;
	int bus_type; /* hid_bus_type: 1 = USB (added in 0.13, after `next`) */
};

struct hid_api_version {
	int major;
	int minor;
	int patch;
};

#define BRIDGE_API __attribute__((visibility("default")))

/* ---- the one device ---- */

#define FRAME_SIGNATURE 0x00504144u
#define FRAME_HEADER 8
#define FRAME_REQUEST 1
#define FRAME_RESPONSE 2
#define MAX_PAYLOAD 65535

typedef struct hid_device_ {
	int fd;
	int nonblocking;
	/* bytes received and not yet handed out as reports */
	unsigned char *rx;
	size_t rx_len;
	size_t rx_cap;
	wchar_t error[256];
} hid_device;

static wchar_t global_error[256] = L"Success";

static void set_error(hid_device *dev, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	wchar_t *dst = dev ? dev->error : global_error;
	swprintf(dst, 256, L"%s", msg);
	if (!dev)
		fprintf(stderr, "tsprobe hid bridge: %s\n", msg);
}

static int debug_enabled(void)
{
	const char *v = getenv("TSPROBE_HID_DEBUG");
	return v && *v && strcmp(v, "0") != 0;
}

static unsigned env_number(const char *name, unsigned dflt)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return dflt;
	char *end;
	unsigned long n = strtoul(v, &end, 0);
	return *end ? dflt : (unsigned)n;
}

/* The server's address: TSPROBE_DAP_ADDR as host:port, [v6]:port or a bare port. */
static void server_address(char *host, size_t host_len, char *port, size_t port_len)
{
	const char *addr = getenv("TSPROBE_DAP_ADDR");
	snprintf(host, host_len, "127.0.0.1");
	snprintf(port, port_len, "4441");
	if (!addr || !*addr)
		return;
	const char *colon = strrchr(addr, ':');
	if (!colon) {
		snprintf(port, port_len, "%s", addr);
		return;
	}
	size_t n = (size_t)(colon - addr);
	const char *h = addr;
	if (n >= 2 && addr[0] == '[' && addr[n - 1] == ']') {
		h++;
		n -= 2;
	}
	if (n > 0) {
		if (n >= host_len)
			n = host_len - 1;
		memcpy(host, h, n);
		host[n] = 0;
	}
	snprintf(port, port_len, "%s", colon + 1);
}

static char device_path[300];

static const char *our_path(void)
{
	char host[256], port[32];
	server_address(host, sizeof host, port, sizeof port);
	snprintf(device_path, sizeof device_path, "tsprobe:%s:%s", host, port);
	return device_path;
}

static unsigned short our_vid(void) { return (unsigned short)env_number("TSPROBE_HID_VID", 0x1209); }
static unsigned short our_pid(void) { return (unsigned short)env_number("TSPROBE_HID_PID", 0x0001); }
static size_t report_size(void) { return env_number("TSPROBE_HID_REPORT", 64); }

static const wchar_t *manufacturer_w = L"tsprobe";
static const wchar_t *product_w = L"tsprobe CMSIS-DAP";

static wchar_t *serial_w(void)
{
	static wchar_t buf[128];
	const char *s = getenv("TSPROBE_HID_SERIAL");
	swprintf(buf, 128, L"%s", s && *s ? s : "TSPROBE0001");
	return buf;
}

static wchar_t *wdup(const wchar_t *s)
{
	size_t n = wcslen(s) + 1;
	wchar_t *d = malloc(n * sizeof(wchar_t));
	if (d)
		wmemcpy(d, s, n);
	return d;
}

/* ---- init, enumeration ---- */

BRIDGE_API int hid_init(void) { return 0; }
BRIDGE_API int hid_exit(void) { return 0; }

static const struct hid_api_version api_version = {0, 13, 1};
BRIDGE_API const struct hid_api_version *hid_version(void) { return &api_version; }
BRIDGE_API const char *hid_version_str(void) { return "0.13.1-tsprobe"; }

BRIDGE_API struct hid_device_info *hid_enumerate(unsigned short vendor_id, unsigned short product_id)
{
	if ((vendor_id && vendor_id != our_vid()) || (product_id && product_id != our_pid()))
		return NULL;
	struct hid_device_info *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->path = strdup(our_path());
	d->vendor_id = our_vid();
	d->product_id = our_pid();
	d->serial_number = wdup(serial_w());
	d->release_number = 0x0100;
	d->manufacturer_string = wdup(manufacturer_w);
	d->product_string = wdup(product_w);
	d->usage_page = 0xff00;
	d->usage = 0x0001;
	d->interface_number = 0;
	d->next = NULL;
	d->bus_type = 1;
	return d;
}

BRIDGE_API void hid_free_enumeration(struct hid_device_info *devs)
{
	while (devs) {
		struct hid_device_info *next = devs->next;
		free(devs->path);
		free(devs->serial_number);
		free(devs->manufacturer_string);
		free(devs->product_string);
		free(devs);
		devs = next;
	}
}

/* ---- open, close ---- */

static hid_device *connect_server(void)
{
	char host[256], port[32];
	server_address(host, sizeof host, port, sizeof port);
	struct addrinfo hints = {0}, *res = NULL;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	int rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		set_error(NULL, "cannot resolve tsprobe CMSIS-DAP address %s:%s: %s", host, port, gai_strerror(rc));
		return NULL;
	}
	int fd = -1, err = 0;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		err = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		set_error(NULL, "cannot connect to the tsprobe CMSIS-DAP device at %s:%s: %s (is `tsprobe dap` running? TSPROBE_DAP_ADDR sets the address)",
			  host, port, strerror(err));
		return NULL;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	hid_device *dev = calloc(1, sizeof *dev);
	if (!dev) {
		close(fd);
		return NULL;
	}
	dev->fd = fd;
	swprintf(dev->error, 256, L"Success");
	if (debug_enabled())
		fprintf(stderr, "tsprobe hid bridge: connected to %s:%s\n", host, port);
	return dev;
}

BRIDGE_API hid_device *hid_open(unsigned short vendor_id, unsigned short product_id, const wchar_t *serial_number)
{
	if ((vendor_id && vendor_id != our_vid()) || (product_id && product_id != our_pid())) {
		set_error(NULL, "no HID device %04x:%04x (the tsprobe bridge presents %04x:%04x)", vendor_id, product_id, our_vid(), our_pid());
		return NULL;
	}
	if (serial_number && wcscmp(serial_number, serial_w()) != 0) {
		set_error(NULL, "no HID device with serial number %ls (the tsprobe bridge presents %ls)", serial_number, serial_w());
		return NULL;
	}
	return connect_server();
}

BRIDGE_API hid_device *hid_open_path(const char *path)
{
	if (!path || strcmp(path, our_path()) != 0) {
		set_error(NULL, "no HID device at path '%s' (the tsprobe bridge presents '%s')", path ? path : "(null)", our_path());
		return NULL;
	}
	return connect_server();
}

BRIDGE_API void hid_close(hid_device *dev)
{
	if (!dev)
		return;
	close(dev->fd);
	free(dev->rx);
	free(dev);
}

/* ---- reports ---- */

static int send_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

BRIDGE_API int hid_write(hid_device *dev, const unsigned char *data, size_t length)
{
	if (!dev || !data || length < 1) {
		if (dev)
			set_error(dev, "hid_write: no data");
		return -1;
	}
	/* data[0] is the report ID (0: the device has unnumbered reports); the rest is the request. */
	size_t n = length - 1;
	if (n > MAX_PAYLOAD)
		n = MAX_PAYLOAD;
	unsigned char *frame = malloc(FRAME_HEADER + n);
	if (!frame) {
		set_error(dev, "hid_write: out of memory");
		return -1;
	}
	uint32_t sig = FRAME_SIGNATURE;
	frame[0] = sig & 0xff;
	frame[1] = (sig >> 8) & 0xff;
	frame[2] = (sig >> 16) & 0xff;
	frame[3] = (sig >> 24) & 0xff;
	frame[4] = n & 0xff;
	frame[5] = (n >> 8) & 0xff;
	frame[6] = FRAME_REQUEST;
	frame[7] = 0;
	memcpy(frame + FRAME_HEADER, data + 1, n);
	if (debug_enabled())
		fprintf(stderr, "tsprobe hid bridge: write %zu bytes, command 0x%02x\n", n, n ? data[1] : 0);
	int rc = send_all(dev->fd, frame, FRAME_HEADER + n);
	free(frame);
	if (rc < 0) {
		set_error(dev, "hid_write: lost the connection to tsprobe: %s", strerror(errno));
		return -1;
	}
	return (int)length;
}

/* A whole frame in the receive buffer? Returns its payload length, -1 if not yet, -2 if the stream is bad. */
static long complete_frame(hid_device *dev)
{
	if (dev->rx_len < FRAME_HEADER)
		return -1;
	const unsigned char *h = dev->rx;
	uint32_t sig = h[0] | (h[1] << 8) | (h[2] << 16) | ((uint32_t)h[3] << 24);
	if (sig != FRAME_SIGNATURE || h[6] != FRAME_RESPONSE)
		return -2;
	size_t len = h[4] | (h[5] << 8);
	return dev->rx_len >= FRAME_HEADER + len ? (long)len : -1;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

BRIDGE_API int hid_read_timeout(hid_device *dev, unsigned char *data, size_t length, int milliseconds)
{
	if (!dev)
		return -1;
	long long deadline = milliseconds >= 0 ? now_ms() + milliseconds : 0;
	long len;
	while ((len = complete_frame(dev)) == -1) {
		int wait = -1;
		if (milliseconds >= 0) {
			long long left = deadline - now_ms();
			if (left <= 0)
				return 0; /* timeout: no report */
			wait = (int)left;
		}
		struct pollfd pfd = {dev->fd, POLLIN, 0};
		int pr = poll(&pfd, 1, wait);
		if (pr < 0) {
			if (errno == EINTR)
				continue;
			set_error(dev, "hid_read: poll failed: %s", strerror(errno));
			return -1;
		}
		if (pr == 0)
			continue; /* the deadline check above ends the wait */
		if (dev->rx_cap - dev->rx_len < 4096) {
			size_t cap = dev->rx_cap ? dev->rx_cap * 2 : 8192;
			unsigned char *p = realloc(dev->rx, cap);
			if (!p) {
				set_error(dev, "hid_read: out of memory");
				return -1;
			}
			dev->rx = p;
			dev->rx_cap = cap;
		}
		ssize_t k = recv(dev->fd, dev->rx + dev->rx_len, dev->rx_cap - dev->rx_len, 0);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k <= 0) {
			set_error(dev, "hid_read: the tsprobe CMSIS-DAP device closed the connection");
			return -1;
		}
		dev->rx_len += (size_t)k;
	}
	if (len == -2) {
		set_error(dev, "hid_read: bad frame from tsprobe (signature or type)");
		return -1;
	}
	/* One frame is one input report: zero-padded to the report size, cut at `length`. */
	size_t report = report_size();
	if ((size_t)len > report)
		report = (size_t)len;
	size_t n = report < length ? report : length;
	size_t copy = (size_t)len < n ? (size_t)len : n;
	memcpy(data, dev->rx + FRAME_HEADER, copy);
	memset(data + copy, 0, n - copy);
	size_t used = FRAME_HEADER + (size_t)len;
	memmove(dev->rx, dev->rx + used, dev->rx_len - used);
	dev->rx_len -= used;
	if (debug_enabled())
		fprintf(stderr, "tsprobe hid bridge: read %ld bytes, response 0x%02x\n", len, len ? data[0] : 0);
	return (int)n;
}

BRIDGE_API int hid_read(hid_device *dev, unsigned char *data, size_t length)
{
	if (!dev)
		return -1;
	return hid_read_timeout(dev, data, length, dev->nonblocking ? 0 : -1);
}

BRIDGE_API int hid_set_nonblocking(hid_device *dev, int nonblock)
{
	if (!dev)
		return -1;
	dev->nonblocking = nonblock;
	return 0;
}

/* CMSIS-DAP uses no feature or input reports on the control pipe. */
BRIDGE_API int hid_send_feature_report(hid_device *dev, const unsigned char *data, size_t length)
{
	(void)data;
	(void)length;
	if (dev)
		set_error(dev, "feature reports are not supported by the tsprobe CMSIS-DAP device");
	return -1;
}

BRIDGE_API int hid_get_feature_report(hid_device *dev, unsigned char *data, size_t length)
{
	(void)data;
	(void)length;
	if (dev)
		set_error(dev, "feature reports are not supported by the tsprobe CMSIS-DAP device");
	return -1;
}

BRIDGE_API int hid_get_input_report(hid_device *dev, unsigned char *data, size_t length)
{
	(void)data;
	(void)length;
	if (dev)
		set_error(dev, "input reports on the control pipe are not supported by the tsprobe CMSIS-DAP device");
	return -1;
}

/* ---- strings ---- */

static int copy_wide(hid_device *dev, const wchar_t *s, wchar_t *out, size_t maxlen)
{
	if (!dev || !out || maxlen == 0)
		return -1;
	wcsncpy(out, s, maxlen);
	out[maxlen - 1] = L'\0';
	return 0;
}

BRIDGE_API int hid_get_manufacturer_string(hid_device *dev, wchar_t *string, size_t maxlen)
{
	return copy_wide(dev, manufacturer_w, string, maxlen);
}

BRIDGE_API int hid_get_product_string(hid_device *dev, wchar_t *string, size_t maxlen)
{
	return copy_wide(dev, product_w, string, maxlen);
}

BRIDGE_API int hid_get_serial_number_string(hid_device *dev, wchar_t *string, size_t maxlen)
{
	return copy_wide(dev, serial_w(), string, maxlen);
}

/* USB string descriptors: 1 manufacturer, 2 product, 3 serial number (as the device's descriptors). */
BRIDGE_API int hid_get_indexed_string(hid_device *dev, int string_index, wchar_t *string, size_t maxlen)
{
	switch (string_index) {
	case 1:
		return copy_wide(dev, manufacturer_w, string, maxlen);
	case 2:
		return copy_wide(dev, product_w, string, maxlen);
	case 3:
		return copy_wide(dev, serial_w(), string, maxlen);
	default:
		if (dev)
			set_error(dev, "no string descriptor %d", string_index);
		return -1;
	}
}

BRIDGE_API struct hid_device_info *hid_get_device_info(hid_device *dev)
{
	static struct hid_device_info *info;
	if (!dev)
		return NULL;
	if (!info)
		info = hid_enumerate(0, 0);
	return info;
}

BRIDGE_API const wchar_t *hid_error(hid_device *dev)
{
	return dev ? dev->error : global_error;
}
