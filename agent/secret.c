/*
 * secret.c - reading secrets from files.  A file that group or others can
 * read is refused, as ssh refuses such a private key.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hinge/plugin.h>

#include "agent/log.h"
#include "agent/secret.h"

#define SECRET_MAX (64 * 1024)

int secret_read_file(const char *source, const char *key, const char *path,
		     char **out)
{
	struct stat sb;
	char *buf;
	ssize_t n, len = 0;
	int fd;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &sb) != 0) {
		int err = errno;

		hlog(HINGE_LOG_ERROR, source, "%s: cannot read secret file \"%s\": %s", key, path,
		     strerror(err));
		if (fd >= 0)
			close(fd);
		return err == ENOENT ? HINGE_EINVAL : HINGE_EUNAVAIL;
	}
	if (!S_ISREG(sb.st_mode) || (sb.st_mode & 077) != 0) {
		hlog(HINGE_LOG_ERROR, source,
		     "%s: secret file \"%s\" is accessible by group or others (mode %04o); run chmod 600 on it",
		     key, path, (unsigned)(sb.st_mode & 07777));
		close(fd);
		return HINGE_EINVAL;
	}
	buf = malloc(SECRET_MAX + 1);
	if (buf == NULL) {
		close(fd);
		return HINGE_ENOMEM;
	}
	while ((n = read(fd, buf + len, (size_t)(SECRET_MAX - len))) > 0)
		len += n;
	close(fd);
	if (n < 0) {
		hlog(HINGE_LOG_ERROR, source, "%s: cannot read secret file \"%s\": %m", key, path);
		free(buf);
		return HINGE_EUNAVAIL;
	}
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	buf[len] = '\0';
	if (len == 0) {
		hlog(HINGE_LOG_ERROR, source, "%s: secret file \"%s\" is empty", key, path);
		free(buf);
		return HINGE_EINVAL;
	}
	*out = buf;
	return 0;
}
