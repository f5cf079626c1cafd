import type { Catalogue } from '../catalogue.ts';

const v = (n: number | null) => String(n ?? '');

export const nl: Catalogue = {
  language: 'nl',
  greeting: (name) => `Beste ${name},`,
  signOff: 'Met vriendelijke groet,',
  action: 'Open uw consultatiepagina',
  personalLink: 'Deze link is persoonlijk: stuur hem niet door.',
  replyByEmail: 'U kunt ook op deze e-mail antwoorden: schrijf boven de lijn bovenaan.',
  labels: {
    consultation: 'Consultatie',
    draftVersion: 'Versie van het ontwerp',
    asked: 'Wat er gevraagd wordt',
    deadline: 'Uiterste datum',
    comments: 'Uw opmerkingen',
    answers: 'Beantwoord',
    coordinatorMessage: 'Bericht van de coördinatoren',
    note: 'Toelichting',
  },
  asked: {
    comments: (n) => `Uw opmerkingen bij versie ${n} van het ontwerp`,
    endorsement: (n) => `Uw instemming met versie ${n} van het ontwerp (of uw redenen om niet in te stemmen)`,
    nothingYet: 'Nog niets: u krijgt bericht zodra het eerste ontwerp is gepubliceerd',
    nothing: 'Niets meer: dank voor uw deelname',
  },
  disposition: { accepted: 'overgenomen', 'partially-accepted': 'gedeeltelijk overgenomen', rejected: 'niet overgenomen', noted: 'voor kennisgeving aangenomen' },
  invitation: {
    subject: (f) => `Uitnodiging: ${f.title}`,
    lead: (f) => [
      `${f.leadOrganisation} nodigt ${f.organisation} uit om deel te nemen aan de consultatie “${f.title}”.`,
      'Op uw persoonlijke pagina kunt u het ontwerp lezen, per onderdeel opmerkingen maken en de antwoorden op uw opmerkingen volgen.',
    ],
  },
  newDraft: {
    subject: (f) => `Nieuw ontwerp (versie ${v(f.draftVersion)}): ${f.title}`,
    lead: (f) => [`Versie ${v(f.draftVersion)} van het ontwerp van “${f.title}” is gepubliceerd voor opmerkingen.`],
  },
  endorsementRequest: {
    subject: (f) => `Verzoek om instemming (versie ${v(f.draftVersion)}): ${f.title}`,
    lead: (f) => [`${f.leadOrganisation} vraagt ${f.organisation} in te stemmen met versie ${v(f.draftVersion)} van het ontwerp van “${f.title}”.`],
  },
  reminder: {
    comments: {
      subject: (f) => `Herinnering: opmerkingen uiterlijk ${f.deadlineDate ?? ''}: ${f.title}`,
      lead: (f) => [`Ter herinnering: de uiterste datum voor opmerkingen bij versie ${v(f.draftVersion)} van “${f.title}” nadert en we hebben van ${f.organisation} nog geen reactie ontvangen.`],
    },
    endorsement: {
      subject: (f) => `Herinnering: instemming uiterlijk ${f.deadlineDate ?? ''}: ${f.title}`,
      lead: (f) => [`Ter herinnering: de uiterste datum om in te stemmen met versie ${v(f.draftVersion)} van “${f.title}” nadert en ${f.organisation} heeft nog geen besluit genomen.`],
    },
  },
  acknowledgement: {
    subject: (f, refs) => `Opmerkingen ontvangen (${refs}): ${f.title}`,
    received: { one: '# opmerking', other: '# opmerkingen' },
    lead: (f, received) => [
      `Dank u: we hebben ${received} van ${f.organisation} ontvangen bij versie ${v(f.draftVersion)} van “${f.title}”.`,
      'Vermeld de kenmerken hieronder als u ons erover schrijft.',
    ],
  },
  outcome: {
    subject: (f) => `Consultatie afgesloten: ${f.title}`,
    lead: (f, outcome) => [outcome === 'adopted'
      ? `De consultatie “${f.title}” is afgesloten: versie ${v(f.draftVersion)} van het plan is vastgesteld. Dank voor uw deelname.`
      : `De consultatie “${f.title}” is afgesloten: het ontwerp is ingetrokken. Dank voor uw deelname.`],
    readableUntil: (date) => `Uw pagina blijft tot ${date} te lezen: de uitkomst en de antwoorden op uw opmerkingen.`,
  },
  answersDigest: {
    subject: (f, answered) => `${answered}: ${f.title}`,
    answered: { one: '# van uw opmerkingen is beantwoord', other: '# van uw opmerkingen zijn beantwoord' },
    lead: (f, answered) => [`${answered} in de consultatie “${f.title}”. De antwoorden staan op uw pagina.`],
  },
  officeDigest: {
    subject: (f, day) => `Dagrapport (${day}): ${f.title}`,
    greeting: 'Goedendag,',
    lead: (f, day) => [`Dit vraagt uw aandacht in de consultatie “${f.title}” (${day}).`],
    footer: 'U ontvangt dit rapport omdat dit adres een van de waarschuwingsadressen van de consultatie is (notifyEmails).',
    signature: 'De e-maildienst van de consultatie',
    messageKind: { invitation: 'uitnodiging', notice: 'bericht', reminder: 'herinnering' },
    deliveryFailures: {
      count: { one: '# bericht kon niet worden bezorgd', other: '# berichten konden niet worden bezorgd' },
      line: (l) => `${l.organisation}${l.contact ? `, ${l.contact}` : ''}: ${l.kind}, ${l.when}: ${l.reason}`,
    },
    heldReplies: {
      count: { one: '# antwoord per e-mail is aangehouden; u kunt het aanvaarden of verwerpen', other: '# antwoorden per e-mail zijn aangehouden; u kunt ze aanvaarden of verwerpen' },
      line: (l) => `${l.organisation}, ontvangen ${l.when}: ${l.reasons.join('; ')}`,
      reason: {
        SENDER_NOT_ALLOWED: 'de afzender is geen contactpersoon van de organisatie en valt niet onder een domein dat voor haar is opgegeven',
        CONTACT_UNKNOWN: 'het antwoordadres noemt een contactpersoon die de organisatie niet meer heeft',
        AFTER_DEADLINE: 'ontvangen na de termijn voor opmerkingen',
        OLDER_DRAFT: 'het beantwoordt een ouder ontwerp',
        NO_DRAFT: 'er was nog geen ontwerp gepubliceerd',
        UNKNOWN_SECTION: 'het noemt een onderdeel dat het ontwerp niet heeft',
        EMPTY: 'het bevat geen nieuwe tekst',
        TOO_LONG: 'een deel ervan is langer dan een opmerking mag zijn',
        CONSULTATION_CLOSED: 'de consultatie was gesloten',
        STAKEHOLDER_INACTIVE: 'de organisatie is verwijderd of heeft de uitnodiging afgewezen',
      },
      review: (path) => `Om ze te lezen en elk te aanvaarden of te verwerpen: GET ${path}`,
    },
  },
};
