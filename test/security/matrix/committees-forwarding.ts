// The authorization matrix's committee-history and forwarding part (issue 24): a committee person (public directory
// data), an SZSA recipient of suggestions (its association's staff, the regulator and its scoped account, the
// association's members), and the consolidated forwarding letter of a batch (the forwarding association's staff and
// the regulator only: 404 to everyone else, like a batch that does not exist).
import { expect } from 'vitest';
import { ALL, asStaff, PAGE, viaList, viaNode, viaNodes, viaTotalCount, type Principal, type Probe, type World } from '../authorization-matrix.table.js';
import { definePart } from './part.js';

interface Fixture {
  person: { id: string };
  recipient: { id: string; name: string };
  letterUrl: string;
  referenceNumber: string;
}

async function build(w: World): Promise<Fixture> {
  const staff = (query: string, variables: Record<string, unknown> = {}) => asStaff(w.t, w.tokens.ASSOCIATION!, query, variables);
  const committees = await staff('{ committees { terms { number seats { person { id } } } } }');
  const person = committees.committees.flatMap((c: any) => c.terms.flatMap((t: any) => t.seats.map((s: any) => s.person)))[0];
  expect(person).toBeDefined();
  const name = `矩阵报送对象${Date.now()}`;
  const created = await staff('mutation($n: String!) { createSuggestionRecipient(input: { name: $n }) { suggestionRecipient { id } userErrors { code } } }', { n: name });
  expect(created.createSuggestionRecipient.userErrors).toEqual([]);
  const recipient = { id: created.createSuggestionRecipient.suggestionRecipient.id as string, name };
  // A fresh accepted suggestion of the shared world's firm, forwarded to the new recipient.
  const submitted = await w.t.gql(
    'mutation($i: SubmitSuggestionInput!) { submitSuggestion(input: $i) { suggestion { id } userErrors { code } } }',
    { i: { topic: 'QIANHAI', title: `矩阵汇总报告建议 ${name}`, body: '矩阵测试正文' } },
    { token: w.tokens.FIRM_OWN },
  );
  const id = submitted.body.data.submitSuggestion.suggestion.id;
  await staff('mutation($id: ID!) { reviewSuggestion(input: { id: $id, decision: ACCEPT }) { userErrors { code } } }', { id });
  const forwarded = await staff(
    'mutation($ids: [ID!]!, $r: [ID!]) { forwardSuggestions(input: { ids: $ids, recipientIds: $r }) { forwardings { referenceNumber letterUrl } userErrors { code } } }',
    { ids: [id], r: [recipient.id] },
  );
  expect(forwarded.forwardSuggestions.userErrors).toEqual([]);
  const [batch] = forwarded.forwardSuggestions.forwardings;
  return { person, recipient, letterUrl: batch.letterUrl, referenceNumber: batch.referenceNumber };
}

const RECIPIENT_SEERS: readonly Principal[] = ['FIRM_OWN', 'FIRM_OTHER', 'ASSOCIATION', 'REGULATOR', 'SA_SCOPED'];
const LETTER_READERS: readonly Principal[] = ['ASSOCIATION', 'REGULATOR', 'SA_SCOPED'];

function viaLetter(of: (w: World) => Fixture): Probe {
  return {
    path: 'csv',
    how: 'GET /reports/suggestion-forwardings/{id}.html',
    seenBy: LETTER_READERS,
    async run(w, p) {
      const token = w.tokens[p];
      const res = await fetch(`${w.t.url}${of(w).letterUrl}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      const text = await res.text();
      if (res.status === 200) return { visible: text.includes(of(w).referenceNumber), text };
      expect(res.status).toBe(404);
      return { visible: false, text };
    },
  };
}

export const committeesForwardingPart = definePart('committees-forwarding', build, (of) => [
  {
    object: 'CommitteePerson',
    seenBy: ALL,
    probes: [viaNode((w) => of(w).person.id), viaNodes((w) => of(w).person.id)],
  },
  {
    object: 'SuggestionRecipient',
    seenBy: RECIPIENT_SEERS,
    marker: (w) => of(w).recipient.name,
    probes: [
      viaNode((w) => of(w).recipient.id, '... on SuggestionRecipient { id name }'),
      viaNodes((w) => of(w).recipient.id, '... on SuggestionRecipient { id name }'),
      viaList('suggestionRecipients', `{ suggestionRecipients(first: 100) { edges { node { id } } ${PAGE} } }`, (d) => d.suggestionRecipients, (w) => of(w).recipient.id),
      // The letter of the batch forwarded to it: its own readers (the probe's seenBy).
      viaLetter(of),
      viaTotalCount('suggestionRecipients.totalCount', `{ suggestionRecipients(first: 100) { totalCount edges { node { id } } ${PAGE} } }`, (d) => d.suggestionRecipients, (w) => of(w).recipient.id),
    ],
  },
]);
