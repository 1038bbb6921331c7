"""readme_section.py PATH NAME REPORT - put REPORT (which starts with
<!-- NAME --> and ends with <!-- /NAME -->) into bench/README.md at PATH:
in place of the section of that name, or at the end when there is none.
Each bench/*.sh writes its own figures this way."""
import re
import sys

path, name, report = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(path).read()
section = re.compile(r"<!-- %s -->.*?<!-- /%s -->" % (re.escape(name), re.escape(name)), re.S)
if section.search(text):
    text = section.sub(lambda m: report, text)
else:
    text = text.rstrip("\n") + "\n\n" + report + "\n"
open(path, "w").write(text)
