# The symbols benchmark's independent source (bench/symbols-targets.ts): for each ELF file named on the
# command line, one JSON line with its PT_LOAD segments and every defined function symbol of its .symtab
# and .dynsym, and of its separate debug file (/usr/lib/debug/.build-id/xx/rest.debug) when there is
# one, read with pyelftools rather than with elfutils, which both tools under test use.
import json
import os
import sys

from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

# pyelftools calls STT_GNU_IFUNC (10, glibc's resolvers: memcpy, strchr) by its range's first name.
FUNCTION_TYPES = ('STT_FUNC', 'STT_LOOS')


def build_id(elf):
    for segment in elf.iter_segments():
        if segment['p_type'] == 'PT_NOTE':
            for note in segment.iter_notes():
                if note['n_type'] == 'NT_GNU_BUILD_ID':
                    return note['n_desc']
    return None


def functions(elf, into):
    for section in elf.iter_sections():
        if not isinstance(section, SymbolTableSection):
            continue
        for symbol in section.iter_symbols():
            if symbol['st_info']['type'] in FUNCTION_TYPES and symbol['st_shndx'] != 'SHN_UNDEF' and symbol.name:
                into.add((symbol['st_value'], symbol['st_size'], symbol.name))


def describe(path):
    with open(path, 'rb') as f:
        elf = ELFFile(f)
        loads = [
            {'offset': s['p_offset'], 'vaddr': s['p_vaddr'], 'filesz': s['p_filesz'], 'executable': bool(s['p_flags'] & 1)}
            for s in elf.iter_segments()
            if s['p_type'] == 'PT_LOAD'
        ]
        found = set()
        functions(elf, found)
        bid = build_id(elf)
    debug_file = None
    if bid:
        candidate = '/usr/lib/debug/.build-id/%s/%s.debug' % (bid[:2], bid[2:])
        if os.path.exists(candidate):
            debug_file = candidate
            with open(candidate, 'rb') as f:
                functions(ELFFile(f), found)
    return {'path': path, 'buildId': bid, 'debugFile': debug_file, 'loads': loads, 'functions': sorted(found)}


for name in sys.argv[1:]:
    try:
        print(json.dumps(describe(name)))
    except Exception as error:  # one unreadable module must not hide the others: the caller skips it
        print(json.dumps({'path': name, 'error': '%s: %s' % (type(error).__name__, error)}))
    sys.stdout.flush()
