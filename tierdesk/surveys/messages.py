"""The survey invitations, in each language Tierdesk speaks. The handbooks give no
wording for the invitation itself (DataFlow 8.1 only says "5-point scale, comments"),
so these are Tierdesk's; the follow-up after a low score is the pack's template."""

from collections.abc import Mapping

CSAT = {
    "en": ("[Ticket #{ticket_id}] How did we do?",
           "Dear {name},\n\nYour request #{ticket_id} \"{subject}\" was resolved. How satisfied "
           "are you with the help you received? One click answers:\n\n{choices}\n\n"
           "You may add a comment on the page that opens. This link is yours alone and "
           "answers once.\n"),
    "es": ("[Ticket #{ticket_id}] ¿Cómo lo hicimos?",
           "Estimado/a {name}:\n\nSu solicitud #{ticket_id} \"{subject}\" se ha resuelto. "
           "¿Qué tan satisfecho/a está con la ayuda recibida? Responda con un clic:\n\n"
           "{choices}\n\nPuede añadir un comentario en la página que se abre. Este enlace es "
           "solo suyo y responde una vez.\n"),
    "fr": ("[Ticket #{ticket_id}] Comment avons-nous fait ?",
           "Bonjour {name},\n\nVotre demande #{ticket_id} « {subject} » a été résolue. "
           "Êtes-vous satisfait(e) de l'aide reçue ? Un clic suffit :\n\n{choices}\n\n"
           "Vous pourrez ajouter un commentaire sur la page qui s'ouvre. Ce lien vous est "
           "personnel et ne sert qu'une fois.\n"),
    "ar": ("[التذكرة #{ticket_id}] كيف كان أداؤنا؟",
           "عزيزي/عزيزتي {name}،\n\nتم حل طلبك #{ticket_id} \"{subject}\". ما مدى رضاك عن "
           "المساعدة التي تلقيتها؟ أجب بنقرة واحدة:\n\n{choices}\n\nيمكنك إضافة تعليق في "
           "الصفحة التي تفتح. هذا الرابط خاص بك ويُستخدم مرة واحدة.\n"),
}
CSAT_LABELS = {
    "en": {1: "Very dissatisfied", 2: "Dissatisfied", 3: "Neutral", 4: "Satisfied",
           5: "Very satisfied"},
    "es": {1: "Muy insatisfecho", 2: "Insatisfecho", 3: "Neutral", 4: "Satisfecho",
           5: "Muy satisfecho"},
    "fr": {1: "Très insatisfait", 2: "Insatisfait", 3: "Neutre", 4: "Satisfait",
           5: "Très satisfait"},
    "ar": {1: "غير راضٍ إطلاقًا", 2: "غير راضٍ", 3: "محايد", 4: "راضٍ", 5: "راضٍ جدًا"},
}
NPS = {
    "en": ("How likely are you to recommend {org}?",
           "Dear {name},\n\nOn a scale from 0 (not at all likely) to 10 (extremely likely), "
           "how likely are you to recommend us to a friend or colleague? One click "
           "answers:\n\n{choices}\n\nThis link is yours alone and answers once.\n"),
    "es": ("¿Nos recomendaría?",
           "Estimado/a {name}:\n\nEn una escala de 0 (nada probable) a 10 (muy probable), "
           "¿qué probabilidad hay de que nos recomiende a un amigo o colega? Responda con un "
           "clic:\n\n{choices}\n\nEste enlace es solo suyo y responde una vez.\n"),
    "fr": ("Nous recommanderiez-vous ?",
           "Bonjour {name},\n\nSur une échelle de 0 (pas du tout probable) à 10 (très "
           "probable), quelle est la probabilité que vous nous recommandiez à un ami ou un "
           "collègue ? Un clic suffit :\n\n{choices}\n\nCe lien vous est personnel et ne "
           "sert qu'une fois.\n"),
    "ar": ("ما مدى احتمال أن توصي بنا؟",
           "عزيزي/عزيزتي {name}،\n\nعلى مقياس من 0 (غير محتمل إطلاقًا) إلى 10 (محتمل جدًا)، "
           "ما مدى احتمال أن توصي بنا لصديق أو زميل؟ أجب بنقرة واحدة:\n\n{choices}\n\n"
           "هذا الرابط خاص بك ويُستخدم مرة واحدة.\n"),
}


def pick(texts: Mapping[str, object], language: str) -> object:
    return texts.get(language) or texts["en"]


def language_of(language: str) -> str:
    return language if language in CSAT else "en"
