"""Initiator name patterns (SYSFS.md section 8.2; the kernel's ``wildcmp``).

DOS-style: ``*`` any sequence, ``?`` one character, case-insensitive; the first ``!`` met while matching
inverts the result of matching the rest of the pattern against the rest of the name.
"""


def wildcmp(pattern, name):
    return _match(pattern, name, inverted_once=False)


def _same(pat_char, name_char):
    return pat_char == '?' or pat_char.lower() == name_char.lower()


def _match(pattern, name, inverted_once):
    pat = 0
    pos = 0
    # Phase 1: literal prefix up to the first '*', as the kernel scans it.
    while pos < len(name) and (pat >= len(pattern) or pattern[pat] != '*'):
        if pat < len(pattern) and pattern[pat] == '!' and not inverted_once:
            return not _match(pattern[pat + 1:], name[pos:], True)
        if pat >= len(pattern) or not _same(pattern[pat], name[pos]):
            return False
        pat += 1
        pos += 1
    # Phase 2: backtracking over the last '*' seen.
    star_pat = None
    star_pos = 0
    while pos < len(name):
        char = pattern[pat] if pat < len(pattern) else ''
        if char == '!' and not inverted_once:
            return not _match(pattern[pat + 1:], name[pos:], True)
        if char == '*':
            pat += 1
            if pat >= len(pattern):
                return True
            star_pat = pat
            star_pos = pos + 1
        elif char and _same(char, name[pos]):
            pat += 1
            pos += 1
        else:
            if star_pat is None:
                return False
            pat = star_pat
            pos = star_pos
            star_pos += 1
    while pat < len(pattern) and pattern[pat] == '*':
        pat += 1
    return pat >= len(pattern)
