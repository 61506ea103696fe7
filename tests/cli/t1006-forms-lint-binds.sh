# forms lint on a form of 20,000 binds (a generated one, as a large XLSForm gives): the binds'
# duplicate ids (an error, JavaRosa refuses them) and second binds on one node (a warning,
# JavaRosa merges them) are found through a hash of what came before, not by comparing each
# bind with every earlier one (28 s of CPU for this form before, 0.3 s after, plain build);
# each message names the first bind's line however far back it is.
. "$(dirname "$0")/lib.sh"

# big.xml: N questions q0..q(N-1), a bind each (id bI, q(I-1) in its relevant), then EXTRA
big() {
	python3 - "$@" <<'PY'
import sys
n, extra = int(sys.argv[1]), sys.argv[2:]
o = ['<?xml version="1.0"?>\n<h:html xmlns="http://www.w3.org/2002/xforms" '
     'xmlns:h="http://www.w3.org/1999/xhtml" xmlns:jr="http://openrosa.org/javarosa">\n'
     '<h:head><h:title>big</h:title><model>\n<instance><data id="big" version="1">\n']
o += ['<q%d/>\n' % i for i in range(n)]
o.append('<meta><instanceID/></meta></data></instance>\n')
for i in range(n):
    rel = ' relevant="/data/q%d != \'x\'"' % (i - 1) if i else ''
    o.append('<bind id="b%d" nodeset="/data/q%d" type="string"%s/>\n' % (i, i, rel))
o += [e + '\n' for e in extra]
o.append('<bind nodeset="/data/meta/instanceID" type="string" readonly="true()" jr:preload="uid"/>\n'
         '</model></h:head><h:body>\n')
o += ['<input ref="/data/q%d"><label>Q%d</label></input>\n' % (i, i) for i in range(n)]
o.append('</h:body></h:html>\n')
sys.stdout.write(''.join(o))
PY
}
big 20000 >big.xml
golden clean parindex forms lint big.xml
# line 20006 is bind b0, line 20007 b1, ...; the extra binds from line 40006
big 20000 '<bind id="b0" nodeset="/data/q19999" type="string"/>' \
	'<bind id="b19998" nodeset="/data/q0" type="string"/>' \
	'<bind id="orphan"/>' '<bind id="orphan" nodeset="/data/q5" type="string"/>' >dup.xml
golden duplicates parindex forms lint dup.xml
finish
