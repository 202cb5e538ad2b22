// panels.js: the side panels (patients, structures, tumors, statistics, metadata, probe),
// built with textContent only: labels come from data files and are never parsed as HTML.

function el(tag, text, attrs = {}) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function fmt(v, digits = 1, unit = '') {
  return v === null || v === undefined ? '–' : `${Number(v).toFixed(digits)}${unit}`;
}

/** Does `p` pass the filter text? Words match the label; `tumors>0` style terms the count. */
export function matchesFilter(p, text) {
  for (const term of text.trim().toLowerCase().split(/\s+/).filter(Boolean)) {
    const m = term.match(/^tumors?([<>=])(\d+)$/);
    if (m) {
      const n = p.tumor_count;
      const want = Number(m[2]);
      if (n === null || n === undefined) return false;
      if ((m[1] === '>' && !(n > want)) || (m[1] === '<' && !(n < want)) || (m[1] === '=' && n !== want)) return false;
    } else if (!p.label.toLowerCase().includes(term) && !p.series_description.toLowerCase().includes(term)) {
      return false;
    }
  }
  return true;
}

export function renderPatients(tbody, patients, filter, selectedId, onPick) {
  tbody.replaceChildren();
  for (const p of patients) {
    if (!matchesFilter(p, filter)) continue;
    const tr = el('tr', null, { 'data-id': p.id });
    if (p.id === selectedId) tr.classList.add('selected');
    tr.append(
      el('td', p.label, { title: p.series_description }),
      el('td', p.dims.join('×')),
      el('td', p.tumor_count ?? '…'),
      el('td', fmt(p.tumor_burden_pct, 2, ' %')),
    );
    tr.addEventListener('click', () => onPick(p.id));
    tbody.append(tr);
  }
}

export function renderStructures(tbody, structures, onChange) {
  tbody.replaceChildren();
  for (const s of structures) {
    const tr = el('tr', null, { 'data-name': s.name });
    const box = el('input', null, { type: 'checkbox', class: 'visible' });
    box.checked = s.visible;
    box.addEventListener('change', () => { s.visible = box.checked; onChange(); });
    const color = el('input', null, { type: 'color', class: 'color', value: s.hex });
    color.addEventListener('input', () => { s.hex = color.value; onChange(); });
    const opacity = el('input', null, { type: 'range', class: 'opacity', min: 0, max: 1, step: 0.05, value: s.opacity });
    opacity.addEventListener('input', () => { s.opacity = Number(opacity.value); onChange(); });
    const mode = el('button', s.outline ? 'outline' : 'fill', { class: 'mode', title: 'fill or outline' });
    mode.addEventListener('click', () => { s.outline = !s.outline; mode.textContent = s.outline ? 'outline' : 'fill'; onChange(); });
    const label = el('td', s.name, { title: s.role });
    tr.append(el('td'), el('td'), label, el('td'), el('td'));
    tr.children[0].append(box);
    tr.children[1].append(color);
    tr.children[3].append(opacity);
    tr.children[4].append(mode);
    tbody.append(tr);
  }
}

export function renderTumors(tbody, stats, onPick) {
  tbody.replaceChildren();
  if (!stats) return;
  for (const t of stats.tumors) {
    const tr = el('tr', null, { 'data-tumor': t.id, title: (t.sources || []).join(', ') });
    tr.append(el('td', t.id), el('td', fmt(t.volume_ml, 2, ' ml')), el('td', fmt(t.max_diameter_mm, 1, ' mm')), el('td', fmt(t.axial_diameter_mm, 1, ' mm')));
    tr.addEventListener('click', () => onPick(t));
    tbody.append(tr);
  }
}

function table(rows) {
  const t = el('table');
  for (const [k, v] of rows) {
    const tr = el('tr');
    tr.append(el('td', k), el('td', v));
    t.append(tr);
  }
  return t;
}

export function renderStats(div, stats) {
  div.replaceChildren();
  if (!stats) { div.textContent = 'computing…'; return; }
  const rows = [
    ['tumors', stats.tumor_count],
    ['tumor volume', fmt(stats.tumor_volume_ml, 2, ' ml')],
    ['liver volume', fmt(stats.liver_volume_ml, 1, ' ml')],
    ['tumor burden', fmt(stats.tumor_burden_pct, 2, ' %')],
  ];
  if (stats.recist && stats.recist.sum_of_diameters_mm !== undefined) rows.push(['RECIST sum', fmt(stats.recist.sum_of_diameters_mm, 1, ' mm')]);
  for (const o of stats.organs) rows.push([o.name, fmt(o.volume_ml, o.volume_ml < 10 ? 2 : 1, ' ml')]);
  if (stats.note) rows.push(['note', stats.note]);
  div.append(table(rows));
}

export function renderMetadata(div, doc) {
  div.replaceChildren();
  const g = (v, d) => v.map((x) => Number(x).toFixed(d)).join(' × ');
  const rows = [
    ['patient', doc.label],
    ['series', doc.series_description || '–'],
    ['modality', doc.modality || '–'],
    ['dims', doc.dims.join(' × ')],
    ['spacing', `${g(doc.spacing_mm, 3)} mm`],
    ['origin (LPS)', `${g(doc.origin_mm, 1)} mm`],
  ];
  for (const [k, v] of doc.metadata || []) rows.push([k, v]);
  for (const w of doc.warnings || []) rows.push(['warning', w]);
  div.append(table(rows));
}

export function renderProbe(div, probe) {
  div.replaceChildren();
  if (!probe) { div.textContent = 'move the mouse over a view'; return; }
  div.append(table([
    ['ijk', probe.ijk.join(', ')],
    ['LPS', `${probe.xyz.map((v) => v.toFixed(1)).join(', ')} mm`],
    ['HU', probe.hu],
    ['structures', probe.structures.join(', ') || '–'],
  ]));
}
