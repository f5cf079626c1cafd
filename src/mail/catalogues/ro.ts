import type { Catalogue } from '../catalogue.ts';

const v = (n: number | null) => String(n ?? '');

export const ro: Catalogue = {
  language: 'ro',
  greeting: (name) => `Bună ziua, ${name},`,
  signOff: 'Cu stimă,',
  action: 'Deschideți pagina dumneavoastră a consultării',
  personalLink: 'Acest link este personal: vă rugăm să nu îl redirecționați.',
  replyByEmail: 'Puteți răspunde și direct la acest e-mail: scrieți deasupra liniei de la început.',
  labels: {
    consultation: 'Consultare',
    draftVersion: 'Versiunea proiectului',
    asked: 'Ce vi se solicită',
    deadline: 'Termen-limită',
    comments: 'Comentariile dumneavoastră',
    answers: 'Cu răspuns',
    coordinatorMessage: 'Mesaj de la coordonatori',
    note: 'Notă',
  },
  asked: {
    comments: (n) => `Comentariile dumneavoastră la versiunea ${n} a proiectului`,
    endorsement: (n) => `Avizarea versiunii ${n} a proiectului (sau motivele pentru care nu o avizați)`,
    nothingYet: 'Deocamdată nimic: veți fi anunțați când va fi publicată prima versiune a proiectului',
    nothing: 'Nimic în plus: vă mulțumim pentru participare',
  },
  disposition: { accepted: 'acceptat', 'partially-accepted': 'acceptat parțial', rejected: 'neacceptat', noted: 'luat la cunoștință' },
  invitation: {
    subject: (f) => `Invitație: ${f.title}`,
    lead: (f) => [
      `${f.leadOrganisation} invită organizația ${f.organisation} să participe la consultarea „${f.title}”.`,
      'Pe pagina dumneavoastră personală puteți citi proiectul, puteți comenta fiecare secțiune și puteți urmări răspunsurile la comentariile dumneavoastră.',
    ],
  },
  newDraft: {
    subject: (f) => `Versiune nouă a proiectului (${v(f.draftVersion)}): ${f.title}`,
    lead: (f) => [`A fost publicată spre consultare versiunea ${v(f.draftVersion)} a proiectului „${f.title}”.`],
  },
  endorsementRequest: {
    subject: (f) => `Solicitare de avizare (versiunea ${v(f.draftVersion)}): ${f.title}`,
    lead: (f) => [`${f.leadOrganisation} solicită organizației ${f.organisation} avizarea versiunii ${v(f.draftVersion)} a proiectului „${f.title}”.`],
  },
  reminder: {
    comments: {
      subject: (f) => `Memento: comentarii până la ${f.deadlineDate ?? ''}: ${f.title}`,
      lead: (f) => [`Vă reamintim că termenul pentru comentarii la versiunea ${v(f.draftVersion)} a proiectului „${f.title}” se apropie, iar de la ${f.organisation} nu am primit încă un răspuns.`],
    },
    endorsement: {
      subject: (f) => `Memento: avizare până la ${f.deadlineDate ?? ''}: ${f.title}`,
      lead: (f) => [`Vă reamintim că termenul pentru avizarea versiunii ${v(f.draftVersion)} a proiectului „${f.title}” se apropie, iar ${f.organisation} nu a transmis încă o decizie.`],
    },
  },
  acknowledgement: {
    subject: (f, refs) => `Comentarii primite (${refs}): ${f.title}`,
    received: { one: '# comentariu', few: '# comentarii', other: '# de comentarii' },
    lead: (f, received) => [
      `Vă mulțumim: am primit ${received} de la ${f.organisation} la versiunea ${v(f.draftVersion)} a proiectului „${f.title}”.`,
      'Vă rugăm să menționați referințele de mai jos atunci când ne scrieți despre ele.',
    ],
  },
  outcome: {
    subject: (f) => `Consultare încheiată: ${f.title}`,
    lead: (f, outcome) => [outcome === 'adopted'
      ? `Consultarea „${f.title}” s-a încheiat: a fost adoptată versiunea ${v(f.draftVersion)} a planului. Vă mulțumim pentru participare.`
      : `Consultarea „${f.title}” s-a încheiat: proiectul a fost retras. Vă mulțumim pentru participare.`],
    readableUntil: (date) => `Pagina dumneavoastră rămâne disponibilă pentru citire până la ${date}: rezultatul și răspunsurile la comentariile dumneavoastră.`,
  },
  answersDigest: {
    subject: (f, answered) => `${answered}: ${f.title}`,
    answered: {
      one: '# comentariu al dumneavoastră a primit răspuns',
      few: '# comentarii ale dumneavoastră au primit răspuns',
      other: '# de comentarii ale dumneavoastră au primit răspuns',
    },
    lead: (f, answered) => [`${answered} în consultarea „${f.title}”. Răspunsurile se află pe pagina dumneavoastră.`],
  },
  officeDigest: {
    subject: (f, day) => `Raport zilnic (${day}): ${f.title}`,
    greeting: 'Bună ziua,',
    lead: (f, day) => [`Iată ce necesită atenția dumneavoastră în consultarea „${f.title}” (${day}).`],
    footer: 'Primiți acest raport deoarece această adresă este una dintre adresele de alertă ale consultării (notifyEmails).',
    signature: 'Serviciul de e-mail al consultării',
    messageKind: { invitation: 'invitație', notice: 'notificare', reminder: 'memento' },
    deliveryFailures: {
      count: { one: '# mesaj nu a putut fi livrat', few: '# mesaje nu au putut fi livrate', other: '# de mesaje nu au putut fi livrate' },
      line: (l) => `${l.organisation}${l.contact ? `, ${l.contact}` : ''}: ${l.kind}, ${l.when}: ${l.reason}`,
    },
    heldReplies: {
      count: {
        one: '# răspuns prin e-mail este reținut, pentru a fi acceptat sau respins',
        few: '# răspunsuri prin e-mail sunt reținute, pentru a fi acceptate sau respinse',
        other: '# de răspunsuri prin e-mail sunt reținute, pentru a fi acceptate sau respinse',
      },
      line: (l) => `${l.organisation}, primit ${l.when}: ${l.reasons.join('; ')}`,
      reason: {
        SENDER_NOT_ALLOWED: 'expeditorul nu este unul dintre contactele organizației și nici dintr-un domeniu înscris pentru ea',
        CONTACT_UNKNOWN: 'adresa de răspuns numește o persoană de contact pe care organizația nu o mai are',
        AFTER_DEADLINE: 'primit după termenul pentru comentarii',
        OLDER_DRAFT: 'răspunde unui proiect mai vechi',
        NO_DRAFT: 'niciun proiect nu fusese publicat',
        UNKNOWN_SECTION: 'numește o secțiune pe care proiectul nu o are',
        EMPTY: 'nu are text nou',
        TOO_LONG: 'o parte a lui este mai lungă decât poate fi un comentariu',
        CONSULTATION_CLOSED: 'consultarea era închisă',
        STAKEHOLDER_INACTIVE: 'organizația a fost eliminată sau a refuzat invitația',
      },
      review: (path) => `Pentru a le citi și a accepta sau respinge fiecare: GET ${path}`,
    },
  },
};
