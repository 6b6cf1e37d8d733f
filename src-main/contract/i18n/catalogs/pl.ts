import type { Catalog } from './en';

/** Polish: the polite plural "Państwo", which needs no guess at the reader's gender. */
export const pl: Catalog = {
  'subject.decision': 'Decyzja w sporze {caseId} (zamówienie {orderId}): {outcome}',
  'subject.appeal':
    'Odwołanie w sporze {caseId} (zamówienie {orderId}): {verdict, select, uphold {decyzja została utrzymana} other {decyzja została zmieniona}}',
  'subject.evidence': 'Spór {caseId} (zamówienie {orderId}): prosimy o dowody do {dueAt}',
  'subject.resolutions': 'Spór {caseId} (zamówienie {orderId}): proponowane rozwiązania, prosimy o odpowiedź do {replyDueAt}',
  greeting: 'Dzień dobry, {name},',
  item: '{quantity, plural, =1 {„{title}”} other {# × „{title}”}}',
  'duration.days': '{days, plural, one {# dnia} few {# dni} many {# dni} other {# dnia}}',
  'duration.hours': '{hours, plural, one {# godziny} few {# godzin} many {# godzin} other {# godziny}}',
  intro: 'Rozpatrzyliśmy spór dotyczący {item} (zamówienie {orderId}; powód: {reason}).',
  decisionLine: 'Decyzja: {outcome}.',
  'outcome.full': 'Pełny zwrot pieniędzy',
  'outcome.partial': 'Częściowy zwrot; kupujący zatrzymuje przedmiot',
  'outcome.return': 'Odesłanie przedmiotu i pełny zwrot pieniędzy',
  'outcome.none': 'Bez zwrotu pieniędzy',
  'reason.not_received.in_transit': 'Nie dotarło · nadal w drodze',
  'reason.not_received.returned_to_sender': 'Nie dotarło · zwrócone do nadawcy',
  'reason.not_received.no_tracking_info': 'Nie dotarło · brak informacji o przesyłce',
  'reason.not_received.customs': 'Nie dotarło · zatrzymane przez urząd celny',
  'reason.not_received.wrong_address': 'Nie dotarło · błędny adres',
  'reason.not_as_described': 'Niezgodne z opisem',
  'reason.defective': 'Wadliwe',
  'reason.damaged': 'Uszkodzone',
  'reason.wrong_item': 'Inny przedmiot niż zamówiony',
  'reason.missing_parts': 'Brakujące części',
  'reason.counterfeit': 'Podróbka',
  'reason.quantity_short': 'Niepełna ilość',
  'buyer.full': 'Otrzymają Państwo zwrot całej kwoty zamówienia: {total}. Nie trzeba odsyłać przedmiotu.',
  'buyer.partial': 'Otrzymają Państwo zwrot w wysokości {amount} i zatrzymują przedmiot.',
  'buyer.return':
    'Prosimy odesłać przedmiot sprzedającemu w ciągu {duration} od tej decyzji, do {returnDueAt}, i podać nam numer przesyłki zwrotnej. Gdy sprzedający potwierdzi odbiór, otrzymają Państwo zwrot całej kwoty zamówienia: {total}. Koszt odesłania ponoszą Państwo; jeśli przedmiot nie zostanie odesłany na czas, zwrot zostanie anulowany.',
  'buyer.none': 'Zwrot nie przysługuje. Płatność w wysokości {total} zostaje przekazana sprzedającemu.',
  'seller.full': 'Kupujący otrzymuje zwrot całej kwoty zamówienia ({total}) z wstrzymanej płatności i nie odsyła przedmiotu.',
  'seller.partial':
    'Kupujący otrzymuje zwrot w wysokości {amount} z wstrzymanej płatności i zatrzymuje przedmiot; pozostała kwota, {rest}, zostaje przekazana Państwu.',
  'seller.return':
    'Kupujący odeśle przedmiot w ciągu {duration} od tej decyzji, do {returnDueAt}. Prosimy potwierdzić odbiór, gdy przesyłka dotrze; wtedy kupujący otrzyma zwrot całej kwoty zamówienia ({total}) z wstrzymanej płatności.',
  'seller.none': 'Zwrot nie przysługuje. Wstrzymana płatność w wysokości {total} zostaje przekazana Państwu.',
  reasonsHeading: 'Uzasadnienie:',
  untranslated: '(Tekst napisany przez mediatora, język: {language}. Nie został przetłumaczony.)',
  translationNote: '(Tłumaczenie zespołu mediacji; język oryginału: {language}.)',
  appealRight:
    'Jeśli nie zgadzają się Państwo z decyzją, można się od niej odwołać w ciągu {duration} od jej wydania, do {appealUntil}, z powodu rozstrzygnięcia, postępowania mediatora lub nowych dowodów. Odwołanie rozpatrzy przełożony, który nie podejmował tej decyzji.',
  finalAgreement: 'Obie strony zaakceptowały to rozwiązanie, dlatego jest ono ostateczne i nie przysługuje od niego odwołanie.',
  signoff: 'Zespół mediacji',
  'appeal.reviewed':
    'Przełożony, który nie podejmował pierwotnej decyzji, rozpatrzył {own, select, yes {Państwa odwołanie} other {odwołanie złożone przez drugą stronę}}.',
  'appeal.upheld': 'Pierwotna decyzja zostaje utrzymana: {outcome}.',
  'appeal.overturned': 'Decyzja została zmieniona na: {outcome}.',
  'appeal.final': 'Ta decyzja jest ostateczna i nie można się od niej ponownie odwołać.',
  'evidence.intro': 'Mediator prowadzący spór dotyczący {item} (zamówienie {orderId}) prosi o następujące dowody:',
  'evidence.deadline':
    'Prosimy przesłać je do {dueAt}. Przyjmujemy zdjęcia (JPG, PNG, BMP, GIF) do {maxImage} każde oraz filmy (MP4, WebM, MOV) do {maxVideo}.',
  'evidence.consequence.buyer': 'Jeśli nic nie dotrze na czas, spór może zostać rozstrzygnięty bez zwrotu pieniędzy dla Państwa.',
  'evidence.consequence.seller': 'Jeśli nic nie dotrze na czas, spór może zostać rozstrzygnięty na korzyść kupującego.',
  'resolutions.intro': 'Mediator rozpatrzył spór dotyczący {item} (zamówienie {orderId}) i proponuje:',
  'option.label': 'Opcja {letter}',
  'option.line': '{label}: {text}',
  'option.partial': 'Częściowy zwrot w wysokości {amount}; kupujący zatrzymuje przedmiot.',
  'option.return': 'Pełny zwrot ({total}) po odesłaniu przedmiotu sprzedającemu (koszt odesłania ponosi kupujący).',
  'option.full': 'Pełny zwrot ({total}); nic nie jest odsyłane.',
  'resolutions.recommended': 'Zalecana: {option}.',
  'resolutions.reply':
    'Prosimy o odpowiedź do {replyDueAt}: akceptację jednej z opcji albo ich odrzucenie. Jeśli obie strony zaakceptują tę samą opcję, spór zostanie od razu ostatecznie rozstrzygnięty. Jeśli nie odpowiedzą Państwo na czas, a druga strona zaakceptowała opcję, zostanie zastosowana ta opcja.',
};
