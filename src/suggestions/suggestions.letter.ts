// The consolidated forwarding letter (汇总报告) of one batch as a self-contained, printable HTML page (pure): the
// association's letterhead, the reference number, the recipient by its current name, and a table of the batch's
// suggestions with their topics, titles, submitting members and texts. No script, nothing loaded from elsewhere; every
// text is escaped.
import { encodeGlobalId } from '../global-id.js';
import { escapeHtml } from '../statistics/statistics.html.js';
import type { ForwardingLetter } from './suggestions.service.js';
import type { SuggestionTopic } from './suggestions.table.js';

/** Where the letter of a batch is served (src/server/routes/forwarding-letter.route.ts). */
export const FORWARDING_LETTER_PREFIX = '/reports/suggestion-forwardings/';
export const FORWARDING_LETTER_PATH = /^\/reports\/suggestion-forwardings\/([A-Za-z0-9_-]{1,200})\.html$/;

export function forwardingLetterPath(batchId: number): string {
  return `${FORWARDING_LETTER_PREFIX}${encodeGlobalId('SuggestionForwarding', batchId)}.html`;
}

export const TOPIC_ZH: Record<SuggestionTopic, string> = {
  GBA_CROSS_BORDER: '大湾区跨境金融',
  PILOT_ZONE_REFORM: '先行示范区改革',
  QIANHAI: '前海合作区',
  HETAO: '河套合作区',
  CAPITAL_MARKET_REFORM: '资本市场改革',
  FINTECH: '金融科技',
  TALENT: '人才',
  TAX_POLICY: '税收政策',
  REGULATORY_POLICY: '监管政策',
  OTHER: '其他',
};

/** The date of an instant in Asia/Shanghai, written 2026年6月15日. */
function chineseDate(at: Date): string {
  const d = new Date(at.getTime() + 8 * 3600_000);
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
}

export function renderForwardingLetterHtml(letter: ForwardingLetter): string {
  const { batch } = letter;
  const count = letter.suggestions.length;
  const byTopic = new Map<SuggestionTopic, number>();
  for (const s of letter.suggestions) byTopic.set(s.topic, (byTopic.get(s.topic) ?? 0) + 1);
  const topics = [...byTopic].map(([topic, n]) => `${escapeHtml(TOPIC_ZH[topic])} ${n} 条`).join('，');
  const members = new Set(letter.suggestions.map((s) => s.organizationName)).size;
  const rows = letter.suggestions
    .map(
      (s) =>
        `<tr><td class="n">${s.index}</td><td>${escapeHtml(TOPIC_ZH[s.topic])}</td><td>${escapeHtml(s.title)}</td><td>${escapeHtml(s.organizationName)}</td></tr>`,
    )
    .join('\n');
  const texts = letter.suggestions
    .map((s) => `<section><h3>${s.index}. ${escapeHtml(s.title)}</h3><p class="meta">${escapeHtml(TOPIC_ZH[s.topic])} · ${escapeHtml(s.organizationName)}</p><p class="body">${escapeHtml(s.body)}</p></section>`)
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(batch.referenceNumber)} 关于报送会员单位建议的函（汇总报告）</title>
<style>
body{font-family:"Songti SC","SimSun",serif;max-width:800px;margin:2em auto;padding:0 1em;line-height:1.7;color:#111}
h1{text-align:center;font-size:1.5em;color:#b00;border-bottom:2px solid #b00;padding-bottom:.3em}
.ref{text-align:center}
table{border-collapse:collapse;width:100%;margin:1em 0}
th,td{border:1px solid #444;padding:.3em .5em;vertical-align:top}
td.n{text-align:center;width:3em}
.meta{color:#555;margin:0}
.body{white-space:pre-wrap}
.sign{text-align:right;margin-top:2em}
@media print{body{margin:0}section{break-inside:avoid}}
</style>
</head>
<body>
<h1>${escapeHtml(letter.associationName)}</h1>
<p class="ref">${escapeHtml(batch.referenceNumber)}</p>
<h2>关于报送会员单位建议的函</h2>
<p>${escapeHtml(letter.recipientName)}：</p>
<p>现将我会收集整理的会员单位建议共 ${count} 条（涉及 ${members} 家会员单位；${topics || '无'}）汇总报送，请予研究。</p>
${batch.note ? `<p>${escapeHtml(batch.note)}</p>` : ''}
<table>
<thead><tr><th>序号</th><th>议题</th><th>建议</th><th>提交单位</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<h2>附：建议全文</h2>
${texts}
<p class="sign">${escapeHtml(letter.associationName)}<br>${chineseDate(batch.forwardedAt)}</p>
</body>
</html>
`;
}
